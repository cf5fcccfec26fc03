import type { Meter } from "./meters";

/** What happens to an event of a closed period (USAGE_LATE_EVENTS). */
export type LateEvents = "refuse" | "adjust";

/** Why a closed period's total changed (UsageAdjusted's `reason`). */
export const ADJUSTMENT_REASONS = { lateEvent: "late_event" } as const;

/**
 * The change one late event makes to its closed period's total, or undefined when it has none that can
 * be added: SUM adds the quantity, COUNT one. MAX, LATEST and UNIQUE_COUNT are not sums — a late value
 * changes the total only against every other value of the period, and a delta computed now would be
 * wrong after the next late one — so those late events stay uncounted, as with `refuse`.
 */
export function lateAdjustment(meter: Meter | undefined, quantity: number): number | undefined {
  if (meter?.aggregation === "SUM") return quantity;
  if (meter?.aggregation === "COUNT") return 1;
  return undefined;
}

/** The aggregate of one late event's adjustment: appended at version 0, so it happens once per key. */
export function lateAdjustmentId(accountId: string, idempotencyKey: string): string {
  return `usage_adjustment:${accountId}:${idempotencyKey}`;
}
