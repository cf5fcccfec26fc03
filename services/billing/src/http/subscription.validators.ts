import { z } from "zod";

const planId = z.string().trim().min(1).max(64);
const interval = z.enum(["month", "year"]);

export const upgradeBody = z.strictObject({ plan_id: planId });
export const downgradeBody = z.strictObject({ plan_id: planId });
/** Monthly ↔ annual, on the same plan or (plan_id) another one: a new period starts at once. */
export const billingCycleBody = z.strictObject({ interval, plan_id: planId.optional() });
export const cancelBody = z.strictObject({
  /** Default: at the end of the period (the customer keeps what they paid for). */
  at_period_end: z.boolean().default(true),
  reason: z.string().trim().min(1).max(500).nullish(),
});
export const paymentMethodBody = z.strictObject({
  /** The payment provider's id of a method the customer set up there; never card numbers. */
  payment_method_id: z
    .string()
    .regex(/^pm_[A-Za-z0-9_]{1,100}$/, "a payment method id: pm_ and letters, digits or _"),
  kind: z.enum(["card"]).default("card"),
  brand: z.string().trim().min(1).max(32).nullish(),
  last4: z
    .string()
    .regex(/^\d{4}$/)
    .nullish(),
});

/** The payment method as the domain takes it. */
export const paymentMethodOf = (body: z.output<typeof paymentMethodBody>) => ({
  id: body.payment_method_id,
  kind: body.kind,
  brand: body.brand ?? null,
  last4: body.last4 ?? null,
});

/** A paid subscription after the last one ended; without payment_method, the one on file. */
export const subscribeBody = z.strictObject({
  plan_id: planId,
  interval: interval.default("month"),
  payment_method: paymentMethodBody.optional(),
});
