// Generated from billing.events-platform.billing.DowngradeScheduled v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** A downgrade was scheduled for the end of the current period (nothing prorated); it can be canceled until then. */
export interface DowngradeScheduled {
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
  /** Plan in force until the period ends. */
  plan: PlanSnapshot;
  /** Plan from the next period. */
  scheduled_plan: PlanSnapshot;
  /** MRR once the downgrade takes effect, minor units. */
  scheduled_mrr_cents: number;
  /** When it takes effect: the end of the current period. */
  effective_at: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
