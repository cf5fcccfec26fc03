// Generated from billing.events-platform.billing.SubscriptionCanceled v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** A subscription was canceled, now or at period end. */
export interface SubscriptionCanceled {
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
  /** The plan. */
  plan: PlanSnapshot;
  /** Whether it runs until the period ends. */
  at_period_end: boolean;
  /** When access ends. */
  ends_at: number;
  /** Reason given. */
  reason: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
