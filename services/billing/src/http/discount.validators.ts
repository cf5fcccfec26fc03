import { z } from "zod";

/** A coupon is redeemed by its id (catalog/coupons.json); its terms come from the catalog, never the body. */
export const applyDiscountBody = z.strictObject({
  coupon: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9_]{3,40}$/, "a coupon id: 3 to 40 letters, digits or _"),
});
export const removeDiscountBody = z.strictObject({ reason: z.string().trim().min(1).max(500).nullish() });
