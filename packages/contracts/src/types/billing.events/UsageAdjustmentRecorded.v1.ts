// Generated from billing.events-platform.billing.UsageAdjustmentRecorded v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** billing took usage's UsageAdjusted (a change to a closed period's total) to bill on the subscription's next invoice: once per adjustment (its aggregate is usage_adjustment:<usage's aggregate id>, at version 0). */
export interface UsageAdjustmentRecorded {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The adjustment's id: usage's aggregate id of the UsageAdjusted. */
  adjustment_id: string;
  /** The subscription the adjusted period belongs to. */
  subscription_id: string;
  /** Start of the closed usage period adjusted. */
  period_start: number;
  /** End of the closed usage period adjusted. */
  period_end: number;
  /** Metered metric adjusted. */
  metric: string;
  /** Change to the period's total: positive adds usage, negative removes it. */
  quantity: number;
  /** usage's reason, e.g. "late_event". */
  reason: string;
  /** The usage event's idempotency key, when the adjustment comes from one. */
  idempotency_key: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
