// Generated from billing.events-platform.billing.SubscriptionSuspended v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The subscription was suspended because payment is overdue; tenancy suspends the organization. */
export interface SubscriptionSuspended {
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
  /** "payment_overdue" or another documented reason. */
  reason: string;
  /** The unpaid invoice. */
  invoice_id: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
