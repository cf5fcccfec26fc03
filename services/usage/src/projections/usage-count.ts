import { enterTenant } from "@platform/database";
import { InvalidInputError } from "@platform/errors";
import type { BatchEvent, BatchHandler, EventStore } from "@platform/event-sourcing";
import type { AccountTime } from "../app/account-time";
import type { Tx } from "../app/tenant";
import { VOIDED_FINGERPRINT } from "../domain/corrections";
import type { UsageReported } from "../domain/events";
import type { MeterCatalog } from "../domain/meters";
import { type ClosedPeriodMark, countedAfterClose } from "../domain/periods";
import { fingerprintOf } from "../domain/usage-events";
import { applyCorrections } from "./corrections";
import { appendLateAdjustments, type ClosedPeriodRow, type LateRow } from "./late-adjustments";

/**
 * The lock a run of the usage count shares and the period closer takes alone: while a period closes,
 * no run is half-applied, so the count's stored offsets are exactly what the closing totals contain.
 */
export const PERIOD_CLOSE_LOCK = 7_337_001;

/**
 * The usage count: the batch projector's handler over usage.ingest. Per organization in the run (row-
 * level security takes one tenant per statement), ONE statement inserts the run's events by (account,
 * idempotency key) only if absent — the key's row is what makes a repeat count nothing, however it
 * comes back (client retry, producer retry, redelivery, replay) — and reports how many were new. An
 * event whose time falls in a period already closed is kept with `counted = false` (its key is spent,
 * it is in no total): late, as the closing's stored offsets say, the same live and in a rebuild.
 * A record that breaks the meters' rules (a producer writing to the topic directly) fails the run for
 * a lasting reason: the projector narrows it down and dead-letters it alone.
 */
/** Seams for crash tests (test/count-crash.test.ts): called inside the run's transaction, between steps. */
export interface UsageCountSeams {
  /** After the `applied`-th of the run's `of` organizations' statements, before the next one's and the commit. */
  afterAccount?(accountId: string, applied: number, of: number): Promise<void> | void;
}

export interface UsageCountOptions {
  seams?: UsageCountSeams;
  /** USAGE_LATE_EVENTS=adjust: late events of additive meters become UsageAdjusted (late-adjustments.ts). */
  /** `time`: an adjustment is stamped with the organization's now (its test clock's time on a clock). */
  adjust?: { store: EventStore<Tx>; time: AccountTime };
}

export function usageCount(meters: MeterCatalog, options: UsageCountOptions = {}): BatchHandler<Tx> {
  const { seams = {}, adjust } = options;
  return async (tx, events) => {
    await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock_shared($1)", PERIOD_CLOSE_LOCK);
    const byAccount = new Map<string, BatchEvent<UsageReported>[]>();
    // Decoded with the UsageReported reader schema (the projector's readerSchemas), so the shape holds;
    // the kit's batch handler is not generic over payloads yet.
    for (const event of events as unknown as readonly BatchEvent<UsageReported>[]) {
      refuseUnless(event, meters);
      const list = byAccount.get(event.data.account_id);
      if (list) list.push(event);
      else byAccount.set(event.data.account_id, [event]);
    }
    let inserted = 0;
    let applied = 0;
    for (const [accountId, list] of byAccount) {
      await enterTenant(tx, accountId);
      const earliest = Math.min(...list.map((event) => event.data.occurred_at));
      const closed = (
        await tx.closedPeriod.findMany({
          where: { accountId, periodEnd: { gt: new Date(earliest) } },
          select: { periodStart: true, periodEnd: true, appliedOffsets: true, subscriptionId: true },
        })
      ).map((row): ClosedPeriodMark & ClosedPeriodRow => ({
        start: row.periodStart.getTime(),
        end: row.periodEnd.getTime(),
        appliedOffsets: row.appliedOffsets as Record<string, number>,
        subscriptionId: row.subscriptionId,
      }));
      const counted = list.map((event) =>
        countedAfterClose(closed, {
          occurredAt: event.data.occurred_at,
          topic: event.topic,
          partition: event.partition,
          offset: Number(event.offset),
        }),
      );
      // Corrections (amend, void) of counted events are applied after the run's new events.
      const isEvent = list.map((event) => event.data.correction == null);
      const data = list.map((event) => event.data).filter((_, i) => isEvent[i]);
      const corrections = list
        .map((event, i) => ({ usage: event.data, onTime: counted[i] as boolean }))
        .filter((_, i) => !isEvent[i]);
      const flags = counted.filter((_, i) => isEvent[i]);
      const [row] = await tx.$queryRawUnsafe<{ inserted: number }[]>(
        `WITH added AS (
           INSERT INTO usage_events
             (account_id, idempotency_key, metric, quantity, occurred_at, dimensions, fingerprint, counted)
           SELECT $1, key, metric, quantity, timestamptz 'epoch' + ms * interval '1 millisecond',
                  dimensions::jsonb, fingerprint, counted
             FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::boolean[])
               AS t(key, metric, quantity, ms, dimensions, fingerprint, counted)
           ON CONFLICT (account_id, idempotency_key) DO NOTHING
           RETURNING metric, quantity, occurred_at, counted
         ), rolled AS (
           -- Only the rows this statement inserted reach the hourly rollup, so a repeat adds nothing.
           INSERT INTO usage_hourly AS h (account_id, metric, hour, sum, count, max)
           SELECT $1, metric, date_trunc('hour', occurred_at, 'UTC'), sum(quantity)::bigint, count(*), max(quantity)
             FROM added WHERE counted GROUP BY 2, 3
           ON CONFLICT (account_id, metric, hour) DO UPDATE
             SET sum = h.sum + excluded.sum, count = h.count + excluded.count, max = greatest(h.max, excluded.max)
         )
         SELECT count(*)::int AS inserted FROM added`,
        accountId,
        data.map((usage) => usage.idempotency_key),
        data.map((usage) => usage.metric),
        data.map((usage) => String(usage.quantity)),
        data.map((usage) => String(usage.occurred_at)),
        data.map((usage) => JSON.stringify(usage.dimensions)),
        data.map((usage) => fingerprintOf(usage)),
        flags,
      );
      inserted += row?.inserted ?? 0;
      inserted += await applyCorrections(tx, accountId, corrections);
      const lateKeys = data.filter((_, i) => !flags[i]).map((usage) => usage.idempotency_key);
      if (adjust && lateKeys.length > 0) {
        // What the table kept for those keys, uncounted: a key counted before is no late event.
        const late = await tx.$queryRawUnsafe<LateRow[]>(
          `SELECT account_id, idempotency_key, metric, quantity::float8 AS quantity,
                  (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_at
             FROM usage_events
            WHERE account_id = $1 AND idempotency_key = ANY($2::text[]) AND NOT counted AND fingerprint <> $3`,
          accountId,
          lateKeys,
          VOIDED_FINGERPRINT,
        );
        const now = await adjust.time.in(tx, accountId);
        await appendLateAdjustments(tx, adjust.store, meters, closed, late, now);
      }
      await seams.afterAccount?.(accountId, ++applied, byAccount.size);
    }
    return inserted;
  };
}

/** What the HTTP edge checks, checked again for records that did not come through it. */
function refuseUnless(event: BatchEvent<UsageReported>, meters: MeterCatalog): void {
  const { account_id: accountId, idempotency_key: key, metric, quantity } = event.data;
  const problem =
    accountId === ""
      ? "account_id is empty"
      : key === ""
        ? "idempotency_key is empty"
        : !meters.reportable(metric)
          ? `metric ${metric} is not a reportable meter`
          : quantity < 0
            ? "quantity is negative"
            : undefined;
  if (problem) throw new InvalidInputError("usage_event_invalid", problem);
}

/** Empties the usage count for a replay of usage.ingest (every tenant's rows: TRUNCATE is not subject to row-level security). */
export async function resetUsageCount(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe("TRUNCATE usage_events, usage_hourly");
}
