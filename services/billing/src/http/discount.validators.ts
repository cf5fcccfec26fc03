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

const instant = z.iso.datetime({ offset: true });
/**
 * The operator's coupon. Loose on purpose where the domain has the rules (a negative amount, a
 * percentage over 100, a window that ends first): those get `discount_invalid` naming every problem,
 * the same answer the repository's catalog gets (domain/coupons.ts).
 */
export const defineCouponBody = z.strictObject({
  coupon_id: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  kind: z.string(),
  percent_off: z.string().max(20).optional(),
  amount_off_cents: z.number().optional(),
  duration: z.string(),
  duration_in_periods: z.number().optional(),
  valid_from: instant,
  valid_until: instant.nullish(),
});
