import type { Tx } from "../app/tenant";
import { VOIDED_FINGERPRINT } from "../domain/corrections";
import type { UsageReported } from "../domain/events";

/**
 * Corrections of one organization's run, in the usage count's transaction, in the log's order and after
 * the run's new events (so an event and its correction in one run apply in that order). Only those on
 * time (`onTime`: not past the closing's stored offset of the event's period) change anything. AMEND
 * sets the counted event's quantity; VOID takes it out of every total (counted = false) and marks its
 * fingerprint, so a retry of its body is a repeat and no late adjustment is made from it. Both are
 * idempotent, so a redelivery, a replay and a rebuild give the same rows. Returns how many rows changed:
 * the count reports them as applied, so what runs after it (the quota view, the alerts) sees the change.
 */
export async function applyCorrections(
  tx: Tx,
  accountId: string,
  corrections: readonly { usage: UsageReported; onTime: boolean }[],
): Promise<number> {
  let changed = 0;
  for (const { usage, onTime } of corrections) {
    if (!onTime) continue;
    let rows: Changed[] = [];
    if (usage.correction === "AMEND")
      rows = await tx.$queryRawUnsafe<Changed[]>(
        `UPDATE usage_events SET quantity = $3
          WHERE account_id = $1 AND idempotency_key = $2 AND counted AND quantity <> $3
          RETURNING metric, occurred_at`,
        accountId,
        usage.idempotency_key,
        usage.quantity,
      );
    else if (usage.correction === "VOID")
      rows = await tx.$queryRawUnsafe<Changed[]>(
        `UPDATE usage_events SET counted = false, fingerprint = $3
          WHERE account_id = $1 AND idempotency_key = $2 AND counted
          RETURNING metric, occurred_at`,
        accountId,
        usage.idempotency_key,
        VOIDED_FINGERPRINT,
      );
    for (const row of rows) await recomputeHour(tx, accountId, row);
    changed += rows.length;
  }
  return changed;
}

interface Changed {
  metric: string;
  occurred_at: Date;
}

/**
 * Sets the corrected event's hour in usage_hourly from that hour's counted rows. Recomputed rather than
 * adjusted by the delta because a MAX cannot be lowered by a delta; one hour's rows of one meter is small,
 * and the result is absolute, so the rows are the same however the log is split into runs.
 */
async function recomputeHour(tx: Tx, accountId: string, row: Changed): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO usage_hourly AS h (account_id, metric, hour, sum, count, max)
     SELECT $1, $2, hour, coalesce(sum(quantity), 0)::bigint, count(quantity), coalesce(max(quantity), 0)
       FROM (SELECT date_trunc('hour', $3::timestamptz, 'UTC') AS hour) AS b
       LEFT JOIN usage_events e
         ON e.account_id = $1 AND e.metric = $2 AND e.counted
        AND e.occurred_at >= b.hour AND e.occurred_at < b.hour + interval '1 hour'
      GROUP BY hour
     ON CONFLICT (account_id, metric, hour) DO UPDATE
       SET sum = excluded.sum, count = excluded.count, max = excluded.max`,
    accountId,
    row.metric,
    row.occurred_at,
  );
}
