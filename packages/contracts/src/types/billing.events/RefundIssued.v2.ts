// Generated from billing.events-platform.billing.RefundIssued v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A credit note on a paid invoice was refunded to the payment method through the payment provider, instead of crediting the customer's balance. */
export interface RefundIssued {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice refunded. */
  invoice_id: string;
  /** The credit note the refund pays out. */
  credit_note_id: string;
  /** The refund's id: from v2 billing's own, deterministic from the credit note, named first by its RefundRequested and sent to the provider as the idempotency key; in v1 events, the provider's id of the refund (no RefundRequested before them). */
  refund_id: string;
  /** The payment refunded (the invoice's successful payment). */
  payment_id: null | string;
  /** Amount refunded. In the currency's minor unit. */
  amount_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** The payment provider that refunded, e.g. "test". */
  provider: string;
  /** The payment method refunded to (the provider's pm_ id). */
  payment_method_id: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
  /** The provider's id of the refund (v2); null in v1 events, where refund_id is the provider's. */
  provider_refund_id: null | string;
}
