// Generated from billing.events-platform.billing.RefundRequested v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A credit note with refund was issued: its refund to the payment method is pending, recorded with the note before the payment provider is called, so a crash or a retry completes this refund (RefundIssued or RefundFailed) instead of making another. */
export interface RefundRequested {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice refunded. */
  invoice_id: string;
  /** The credit note whose refund it is (one refund per note). */
  credit_note_id: string;
  /** Billing's id of the refund, deterministic from the credit note; the payment provider's idempotency key. */
  refund_id: string;
  /** The payment to refund (the invoice's successful payment). */
  payment_id: null | string;
  /** Amount to refund. In the currency's minor unit. */
  amount_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** The payment provider asked to refund, e.g. "test". */
  provider: string;
  /** The payment method to refund to (the provider's pm_ id). */
  payment_method_id: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
