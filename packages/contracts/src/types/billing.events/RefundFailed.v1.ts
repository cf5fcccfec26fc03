// Generated from billing.events-platform.billing.RefundFailed v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The payment provider refused a pending refund (RefundRequested): nothing went back to the payment method, and the amount is credited to the customer's balance instead, so the credit note still gives it all. */
export interface RefundFailed {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice refunded. */
  invoice_id: string;
  /** The credit note whose refund it is (one refund per note). */
  credit_note_id: string;
  /** Billing's id of the refund (its RefundRequested's). */
  refund_id: string;
  /** Amount not refunded, credited to the customer's balance instead. In the currency's minor unit. */
  amount_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** The payment provider that refused, e.g. "test". */
  provider: string;
  /** The provider's reason, e.g. "refund_failed", "charge_disputed". */
  failure_code: string;
  /** The provider's message, if any. */
  failure_message: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
