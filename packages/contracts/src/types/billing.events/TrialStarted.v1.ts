// Generated from billing.events-platform.billing.TrialStarted v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** A trial started (seed 000 trial.started). */
export interface TrialStarted {
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
  /** Trial plan. */
  plan: PlanSnapshot;
  /** When the trial ends. */
  trial_end: number;
  /** Trial length in days. */
  trial_days: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
