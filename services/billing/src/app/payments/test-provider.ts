import { createHash } from "node:crypto";
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from "./provider";

/**
 * The built-in test provider, with Stripe's test payment methods. Its answer depends only on the
 * payment method and the attempt's number, never on randomness or time, so a test, a replay and a
 * rebuild see the same attempts:
 *
 * | payment method                           | answer                                             |
 * | ---------------------------------------- | -------------------------------------------------- |
 * | `pm_card_visa` (and any other `pm_` id)  | succeeds                                           |
 * | `pm_card_chargeDeclined`                 | declined, `card_declined`                          |
 * | `pm_card_chargeDeclinedInsufficientFunds`| declined, `insufficient_funds`                     |
 * | `pm_card_chargeDeclinedExpiredCard`      | declined, `expired_card`                           |
 * | `pm_card_declinedOnceThenSucceeds`       | the invoice's first attempt declined (`card_declined`), every later one succeeds (not a Stripe id: Stripe has no such card) |
 */
export const TEST_PAYMENT_METHODS = {
  succeeds: "pm_card_visa",
  declined: "pm_card_chargeDeclined",
  insufficientFunds: "pm_card_chargeDeclinedInsufficientFunds",
  expiredCard: "pm_card_chargeDeclinedExpiredCard",
  declinedOnceThenSucceeds: "pm_card_declinedOnceThenSucceeds",
  /** Charges succeed, refunds to it fail (Stripe's `pm_card_refundFail`). */
  refundFails: "pm_card_refundFail",
} as const;

const DECLINES: Record<string, { code: string; message: string }> = {
  [TEST_PAYMENT_METHODS.declined]: { code: "card_declined", message: "Your card was declined." },
  [TEST_PAYMENT_METHODS.insufficientFunds]: {
    code: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
  [TEST_PAYMENT_METHODS.expiredCard]: { code: "expired_card", message: "Your card has expired." },
};

export class TestPaymentProvider implements PaymentProvider {
  readonly name = "test";
  /** Every refund made, once per idempotency key (what a test reads to see the money go back). */
  readonly refunds: (RefundRequest & { refundId: string })[] = [];

  /**
   * Succeeds, except to `pm_card_refundFail`; the refund's id is a function of the idempotency key, and a
   * repeated key refunds nothing more (and answers as the first time), as a real provider's does.
   */
  async refund(request: RefundRequest): Promise<RefundResult> {
    if (request.paymentMethodId === TEST_PAYMENT_METHODS.refundFails)
      return { status: "failed", code: "refund_failed", message: "The refund to this card failed." };
    const refundId = `re_${createHash("sha256").update(request.idempotencyKey).digest("hex").slice(0, 24)}`;
    if (!this.refunds.some((made) => made.idempotencyKey === request.idempotencyKey))
      this.refunds.push({ ...request, refundId });
    return { status: "succeeded", refundId };
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    // The payment's id is a function of the idempotency key: the same attempt, the same payment.
    const paymentId = `pay_${createHash("sha256").update(request.idempotencyKey).digest("hex").slice(0, 24)}`;
    const declined =
      DECLINES[request.paymentMethodId] ??
      (request.paymentMethodId === TEST_PAYMENT_METHODS.declinedOnceThenSucceeds && request.attempt === 1
        ? DECLINES[TEST_PAYMENT_METHODS.declined]
        : undefined);
    if (declined) return { status: "declined", paymentId, ...declined };
    return { status: "succeeded", paymentId };
  }
}
