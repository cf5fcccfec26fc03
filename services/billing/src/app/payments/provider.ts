/**
 * A payment provider as billing uses it: one charge of an invoice's amount due on a payment method the
 * customer set up with the provider (billing only ever holds the provider's `pm_...` id). Stripe's
 * PaymentIntents, Adyen or the built-in test provider sit behind it.
 */
export interface ChargeRequest {
  invoiceId: string;
  accountId: string;
  amountCents: number;
  currency: string;
  paymentMethodId: string;
  /** 1 for the first attempt on the invoice. */
  attempt: number;
  /**
   * The same for a retry of the same attempt (`<invoice>:<attempt>`): a provider that saw it already
   * answers what it answered then instead of charging twice (Stripe's Idempotency-Key).
   */
  idempotencyKey: string;
}

export type ChargeResult =
  | { status: "succeeded"; paymentId: string }
  | { status: "declined"; paymentId: string; code: string; message: string | null };

/** A refund of (part of) a successful payment, back to the payment method it came from. */
export interface RefundRequest {
  invoiceId: string;
  accountId: string;
  /** The payment refunded (its provider id). */
  paymentId: string;
  /** The payment method the payment came from, which the money goes back to. */
  paymentMethodId: string | null;
  amountCents: number;
  currency: string;
  /** Billing's refund id: the same for every retry of one refund, so a provider that saw it refunds nothing more. */
  idempotencyKey: string;
}

export type RefundResult =
  | { status: "succeeded"; refundId: string }
  | { status: "failed"; code: string; message: string | null };

export interface PaymentProvider {
  /** Stored with each attempt, e.g. "test". */
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}
