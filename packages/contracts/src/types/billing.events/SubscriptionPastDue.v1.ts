// Generated from billing.events-platform.billing.SubscriptionPastDue v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A payment of the subscription failed: it is past due until paid (dunning retries, then suspension). */
export interface SubscriptionPastDue {
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
  /** The unpaid invoice, when known. */
  invoice_id: null | string;
  /** Why the payment failed, e.g. "card_declined", "insufficient_funds". */
  failure_code: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
