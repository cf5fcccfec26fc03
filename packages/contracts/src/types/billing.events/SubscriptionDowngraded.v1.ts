// Generated from billing.events-platform.billing.SubscriptionDowngraded v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** Moved to a lower plan (seed 000 plan.downgraded). */
export interface SubscriptionDowngraded {
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
  /** Plan before. */
  previous_plan: PlanSnapshot;
  /** Plan after. */
  plan: PlanSnapshot;
  /** Whether it took effect now (prorated) or at period end. */
  immediate: boolean;
  /** When it takes effect. */
  effective_at: number;
  /** Prorated amount charged (positive) or credited (negative); 0 when not immediate. */
  proration_cents: number;
  /** MRR before, minor units. */
  previous_mrr_cents: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
