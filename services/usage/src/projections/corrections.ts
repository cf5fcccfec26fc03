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
    if (usage.correction === "AMEND")
      changed += await tx.$executeRawUnsafe(
        `UPDATE usage_events SET quantity = $3
          WHERE account_id = $1 AND idempotency_key = $2 AND counted AND quantity <> $3`,
        accountId,
        usage.idempotency_key,
        usage.quantity,
      );
    else if (usage.correction === "VOID")
      changed += await tx.$executeRawUnsafe(
        `UPDATE usage_events SET counted = false, fingerprint = $3
          WHERE account_id = $1 AND idempotency_key = $2 AND counted`,
        accountId,
        usage.idempotency_key,
        VOIDED_FINGERPRINT,
      );
  }
  return changed;
}
