// Generated from billing.events-platform.billing.TrialWillEnd v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** The trial ends in three days (seed 001's reminder): whether a payment method is on file says whether it will convert. */
export interface TrialWillEnd {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** Status after the event: "trialing", "active", "past_due", "suspended", "canceled" or "ended". */
  subscription_status: string;
  /** Trial plan. */
  plan: PlanSnapshot;
  /** When the trial ends. */
  trial_end: number;
  /** Whether a payment method is on file: with one the trial converts to paid, without one it ends. */
  has_payment_method: boolean;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
