// Generated from billing.events-platform.billing.PaymentFailed v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A payment attempt failed; it is retried until the last attempt, then the subscription is suspended. v2 adds the payment method, the provider and when the subscription is suspended if it stays unpaid. */
export interface PaymentFailed {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice. */
  invoice_id: string;
  /** The attempt's id. */
  payment_id: string;
  /** Amount attempted. In the currency's minor unit. */
  amount_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** Attempt number, from 1. */
  attempt: number;
  /** Stable code, e.g. "card_declined". */
  failure_code: string;
  /** Processor message. */
  failure_message: null | string;
  /** When it is tried again; null after the last attempt. */
  next_retry_at: null | number;
  /** The payment method charged (the provider's id); null when none was on file or before v2. */
  payment_method_id: null | string;
  /** The payment provider that answered, e.g. "test"; null before v2. */
  provider: null | string;
  /** When the subscription is suspended if the invoice is still unpaid (dunning's last step); null before v2. */
  suspend_at: null | number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
