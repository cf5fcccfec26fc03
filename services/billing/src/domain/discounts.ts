import { InvalidInputError } from "@platform/errors";
import Big from "big.js";
import type { Cents } from "./money";

/**
 * A discount on a subscription's invoices, after Stripe's coupons: a percentage or a fixed amount,
 * redeemable within a window, lasting once (the next invoice), N billing periods, or forever.
 */
export interface Discount {
  discount_id: string;
  kind: "percent" | "amount";
  /** For "percent": 0 < percent_off ≤ 100, at most two decimals. */
  percent_off?: string;
  /** For "amount": cents off each invoice it applies to, never more than that invoice's subtotal. */
  amount_off_cents?: Cents;
  duration: "once" | "repeating" | "forever";
  /** For "repeating": how many invoices it applies to. */
  duration_in_periods?: number;
  /** It may be applied to a subscription only inside [valid_from, valid_until). */
  valid_from: Date;
  valid_until: Date | null;
}

/** The largest fixed discount accepted: $1,000,000, well above any plan, far from float trouble. */
export const MAX_AMOUNT_OFF_CENTS = 100_000_000;

/** Refuses a discount that is negative, oversized, or lasts an impossible time; names every problem. */
export function assertValidDiscount(discount: Discount): Discount {
  const problems: string[] = [];
  if (discount.kind === "percent") {
    const percent = discount.percent_off ?? "";
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(percent) || new Big(percent).lte(0) || new Big(percent).gt(100))
      problems.push("percent_off must be more than 0 and at most 100, with at most two decimals");
  } else {
    const amount = discount.amount_off_cents ?? Number.NaN;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT_OFF_CENTS)
      problems.push(`amount_off_cents must be a whole number of cents from 1 to ${MAX_AMOUNT_OFF_CENTS}`);
  }
  if (discount.duration === "repeating") {
    const n = discount.duration_in_periods ?? Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > 120)
      problems.push("duration_in_periods must be a whole number from 1 to 120 for a repeating discount");
  } else if (discount.duration_in_periods !== undefined) {
    problems.push(`duration_in_periods applies only to a repeating discount, not ${discount.duration}`);
  }
  if (discount.valid_until && discount.valid_until <= discount.valid_from)
    problems.push("valid_until must be after valid_from");
  if (problems.length > 0)
    throw new InvalidInputError("discount_invalid", problems.join("; "), { details: { problems } });
  return discount;
}

/** A discount as applied to one subscription: from when, and how many invoices it has reduced. */
export interface AppliedDiscount {
  discount: Discount;
  applied_at: Date;
  invoices_discounted: number;
  /** The start of the period whose invoice it last reduced (DiscountRedeemed); absent before the first. */
  redeemed_in_period?: Date | null;
}

/** Whether the discount still reduces the subscription's next invoice. */
export function stillApplies(applied: AppliedDiscount): boolean {
  const { discount, invoices_discounted } = applied;
  if (discount.duration === "forever") return true;
  if (discount.duration === "once") return invoices_discounted === 0;
  return invoices_discounted < (discount.duration_in_periods ?? 0);
}

/**
 * The discounts that lower a period's MRR (ChartMogul counts MRR net of discounts, as invoiced): those
 * that reduced the period's invoice, and those applied before the period began that will reduce it (its
 * invoice is finalized after its start). One applied during a period lowers the next one's; one that
 * is spent stops lowering MRR when the next period begins.
 */
export function discountsInEffect(
  discounts: readonly AppliedDiscount[],
  periodStart: Date,
): AppliedDiscount[] {
  return discounts.filter(
    (applied) =>
      applied.redeemed_in_period?.getTime() === periodStart.getTime() ||
      (stillApplies(applied) && applied.applied_at <= periodStart),
  );
}

/** Cents the discount takes off an invoice of `subtotal` (never more than the subtotal, never negative). */
export function discountOn(discount: Discount, subtotal: Cents): Cents {
  if (subtotal <= 0) return 0;
  if (discount.kind === "amount") return Math.min(discount.amount_off_cents ?? 0, subtotal);
  return new Big(subtotal)
    .times(discount.percent_off ?? "0")
    .div(100)
    .round(0, Big.roundHalfUp)
    .toNumber();
}

export function describeDiscount(discount: Discount): string {
  return discount.kind === "percent"
    ? `${discount.percent_off}% off`
    : `${(discount.amount_off_cents ?? 0) / 100} off`;
}
