import { z } from "zod";
import { paymentMethodBody } from "./subscription.validators";

/** Pay an open invoice now: with the subscription's payment method, or the one given (which then becomes the subscription's). */
export const payInvoiceBody = z.strictObject({
  payment_method_id: paymentMethodBody.shape.payment_method_id.optional(),
});

/**
 * A credit note: cents to credit (at most what the invoice has not been credited yet) and why; with
 * `refund`, what it credits beyond what the invoice still asks goes back to the payment method instead
 * of the customer's balance.
 */
export const creditNoteBody = z.strictObject({
  amount_cents: z.number().int().min(1).max(100_000_000),
  reason: z.string().trim().min(1).max(500),
  refund: z.boolean().optional(),
});
