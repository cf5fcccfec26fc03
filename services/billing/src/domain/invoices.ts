import { chargeFor } from "./charges";
import { type AppliedDiscount, describeDiscount, discountOn, stillApplies } from "./discounts";
import { type InvoiceLine, sumOf } from "./lines";
import { type Cents, centsAsUnitPrice } from "./money";
import type { Period } from "./periods";
import { type Interval, METRICS, type Metric, type Plan, priceOf, UNLIMITED } from "./plans";

export interface InvoiceDraft {
  lines: InvoiceLine[];
  subtotal_cents: Cents;
  discount_cents: Cents;
  /** Never negative: what a credit exceeds the charges by is carried, not paid out. */
  total_cents: Cents;
  /** A credit beyond the charges (a downgrade's unused time), kept as the customer's balance for the next invoice. */
  credit_carried_cents: Cents;
  /** The discounts that reduced this invoice (their invoices_discounted goes up by one). */
  discounts_used: string[];
}

/** Usage of one closed period, by metric (from usage's UsagePeriodClosed). */
export type PeriodUsage = Partial<Record<Metric, number>>;

/** The base fee of a period, billed in advance. */
export function baseLine(plan: Plan, interval: Interval, period: Period): InvoiceLine {
  const price = priceOf(plan, interval);
  return {
    kind: "base",
    description: `${plan.name} (${interval}ly)`,
    metric: null,
    quantity: 1,
    unit_price: centsAsUnitPrice(price),
    amount_cents: price,
    period_start: period.start,
    period_end: period.end,
  };
}

/**
 * Overage lines of a closed period, billed in arrears at the plan the period was billed at: for each
 * metric with a charge, the units used beyond the limit. An unlimited metric, or one without a charge
 * (a hard limit), adds no line; neither does usage within the limit.
 */
export function overageLines(plan: Plan, period: Period, usage: PeriodUsage): InvoiceLine[] {
  const lines: InvoiceLine[] = [];
  for (const metric of METRICS) {
    const charge = plan.charges[metric];
    const limit = plan.limits[metric];
    const used = usage[metric] ?? 0;
    if (!charge || limit === UNLIMITED || used <= limit) continue;
    const priced = chargeFor(charge, used - limit);
    lines.push({
      kind: "overage",
      description: `${metric} over the ${limit.toLocaleString("en-US")} included: ${priced.description}`,
      metric,
      quantity: priced.quantity,
      unit_price: priced.unitPrice,
      amount_cents: priced.amount,
      period_start: period.start,
      period_end: period.end,
    });
  }
  return lines;
}

/** A change to a closed period's total (usage's UsageAdjusted), waiting for the next invoice. */
export interface PendingAdjustment {
  id: string;
  period: Period;
  metric: string;
  /** The change to the period's total: negative removes usage. */
  quantity: number;
}

/**
 * The line of one usage adjustment (docs/billing.md, Usage adjustments; Orb's amendments): the
 * period re-rated with the change, at the plan that period was billed at — what its overage costs with
 * the adjusted total minus what it cost before (`totalBefore`: the closed total plus the adjustments
 * billed before this one). Above the limit on a per-unit price that is quantity × price; crossing the
 * limit, a package or a tier is priced as the whole period would be. A negative change gives a negative
 * line (a credit). A metric without a charge, or unlimited, costs nothing: null, no line.
 */
export function adjustmentLine(
  plan: Plan,
  adjustment: PendingAdjustment,
  totalBefore: number,
): InvoiceLine | null {
  const metric = adjustment.metric as Metric;
  const charge = METRICS.includes(metric) ? plan.charges[metric] : undefined;
  const limit = plan.limits[metric];
  if (!charge || limit === undefined || limit === UNLIMITED) return null;
  const before = Math.max(0, totalBefore);
  const after = Math.max(0, totalBefore + adjustment.quantity);
  const over = (total: number) => chargeFor(charge, Math.max(0, total - limit)).amount;
  const amount = over(after) - over(before);
  if (amount === 0) return null;
  const sign = adjustment.quantity > 0 ? "+" : "";
  const n = (value: number) => value.toLocaleString("en-US");
  return {
    kind: "adjustment",
    description: `${metric} ${sign}${n(adjustment.quantity)} after the period closed (${n(before)} → ${n(after)}, ${n(limit)} included)`,
    metric,
    quantity: 1,
    unit_price: centsAsUnitPrice(amount),
    amount_cents: amount,
    period_start: adjustment.period.start,
    period_end: adjustment.period.end,
  };
}

/**
 * An invoice from its charge lines: the subtotal, then each discount that still applies, in the order
 * applied, on what the previous ones left (so two discounts never take more than the subtotal), then
 * the total. A negative subtotal (an unused-time credit larger than the charges) is not discounted
 * and not paid out: the total is zero and the rest is carried to the customer's balance, as Stripe does.
 */
export function composeInvoice(
  charges: InvoiceLine[],
  discounts: readonly AppliedDiscount[],
  at: Date,
): InvoiceDraft {
  const subtotal = sumOf(charges);
  const lines = [...charges];
  const used: string[] = [];
  let remaining = subtotal;
  for (const applied of discounts) {
    if (!stillApplies(applied)) continue;
    const off = discountOn(applied.discount, remaining);
    if (off <= 0) continue;
    remaining -= off;
    used.push(applied.discount.discount_id);
    const first = charges[0];
    lines.push({
      kind: "discount",
      description: describeDiscount(applied.discount),
      metric: null,
      quantity: 1,
      unit_price: centsAsUnitPrice(-off),
      amount_cents: -off,
      period_start: first?.period_start ?? at,
      period_end: first?.period_end ?? at,
    });
  }
  return {
    lines,
    subtotal_cents: subtotal,
    discount_cents: subtotal - remaining,
    total_cents: Math.max(0, remaining),
    credit_carried_cents: Math.max(0, -remaining),
    discounts_used: used,
  };
}

const YEAR_DIGITS = 6;

/**
 * An invoice number: `INV-<year>-<6 digits>`, from a gapless sequence per issuer and year that the
 * database assigns at finalization (a draft has no number, so a dropped draft leaves no gap).
 */
export function invoiceNumber(year: number, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence >= 10 ** YEAR_DIGITS)
    throw new RangeError(`invoice sequence ${sequence} out of range`);
  return `INV-${year}-${String(sequence).padStart(YEAR_DIGITS, "0")}`;
}
