// Generated from usage.events-platform.usage.UsageAdjusted v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A change to a closed usage period's total (Orb's amendment): billing adds it to the subscription's next invoice. Appended once per cause (a late event: once per idempotency key). */
export interface UsageAdjusted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription the period belongs to. */
  subscription_id: string;
  /** Start of the closed usage period adjusted. */
  period_start: number;
  /** End of the closed usage period adjusted. */
  period_end: number;
  /** Metered metric adjusted, as in UsagePeriodClosed's totals. */
  metric: string;
  /** Change to the period's total for the metric: positive adds usage, negative removes it. */
  quantity: number;
  /** Why: "late_event" (an event of the period reached the usage count after the period closed). */
  reason: string;
  /** The usage event's idempotency key when the adjustment comes from one; null otherwise. */
  idempotency_key: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
