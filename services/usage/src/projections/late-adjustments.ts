import type { EventStore } from "@platform/event-sourcing";
import type { Tx } from "../app/tenant";
import { ADJUSTMENT_REASONS, lateAdjustment, lateAdjustmentId } from "../domain/adjustments";
import { SYSTEM_ACTOR, UsageEvent, type UsageReported } from "../domain/events";
import type { MeterCatalog } from "../domain/meters";

/** A closed period as the count reads it, with what a UsageAdjusted names. */
export interface ClosedPeriodRow {
  start: number;
  end: number;
  subscriptionId: string;
}

/** A late event as the count stored it (the first body of its key wins, as for counted ones). */
export type LateRow = Pick<
  UsageReported,
  "account_id" | "idempotency_key" | "metric" | "quantity" | "occurred_at"
>;

/**
 * USAGE_LATE_EVENTS=adjust, in the usage count's transaction: each late event (kept with counted =
 * false) of an additive meter becomes one UsageAdjusted of its closed period, on its own aggregate at
 * version 0. A redelivery, a replay or a rebuild offers the event again and finds the aggregate there:
 * nothing is appended twice, and the log (not usage_events) is what billing reads.
 */
export async function appendLateAdjustments(
  tx: Tx,
  store: EventStore<Tx>,
  meters: MeterCatalog,
  closed: readonly ClosedPeriodRow[],
  late: readonly LateRow[],
  now: number,
): Promise<number> {
  let appended = 0;
  for (const usage of late) {
    const quantity = lateAdjustment(meters.meter(usage.metric), usage.quantity);
    const period = closed.find((p) => usage.occurred_at >= p.start && usage.occurred_at < p.end);
    if (quantity === undefined || !period) continue;
    const id = lateAdjustmentId(usage.account_id, usage.idempotency_key);
    if ((await store.currentVersion(tx, id)) > 0) continue;
    await store.append(tx, {
      aggregate: { type: "usage_adjustment", id, tenantId: usage.account_id },
      expectedVersion: 0,
      events: [
        {
          type: UsageEvent.UsageAdjusted,
          data: {
            account_id: usage.account_id,
            subscription_id: period.subscriptionId,
            period_start: period.start,
            period_end: period.end,
            metric: usage.metric,
            quantity,
            reason: ADJUSTMENT_REASONS.lateEvent,
            idempotency_key: usage.idempotency_key,
            occurred_at: now,
            actor: SYSTEM_ACTOR,
          },
        },
      ],
    });
    appended += 1;
  }
  return appended;
}
