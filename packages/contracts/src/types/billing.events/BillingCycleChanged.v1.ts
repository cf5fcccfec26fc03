// Generated from billing.events-platform.billing.BillingCycleChanged v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** Switched between monthly and annual billing: a new period starts at once, the unused time of the old one is credited. */
export interface BillingCycleChanged {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** Status after the event: "trialing", "active", "past_due", "suspended", "canceled" or "ended". */
  subscription_status: string;
  /** Start of the current billing period. */
  current_period_start: number;
  /** End of the current billing period. */
  current_period_end: number;
  /** Monthly recurring revenue after the event, in minor units (annual price / 12). */
  mrr_cents: number;
  /** Plan before (with its interval). */
  previous_plan: PlanSnapshot;
  /** Plan after (with its interval). */
  plan: PlanSnapshot;
  /** Net amount of the change's invoice lines: the new period's price less the unused time's credit, minor units. */
  proration_cents: number;
  /** MRR before, minor units. */
  previous_mrr_cents: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
