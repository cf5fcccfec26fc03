// Generated from billing.events-platform.billing.SubscriptionEnded v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** The subscription ended: the organization has no plan any more (a trial without payment method, a cancellation taking effect). */
export interface SubscriptionEnded {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** Status after the event: "trialing", "active", "past_due", "suspended", "canceled" or "ended". */
  subscription_status: string;
  /** The plan that ended. */
  plan: PlanSnapshot;
  /** MRR before, minor units. */
  previous_mrr_cents: number;
  /** MRR after: always 0. */
  mrr_cents: number;
  /** Why: "trial_expired" or "canceled". */
  reason: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
