import { InvalidInputError } from "@platform/errors";
import type { InvoiceLine } from "./lines";
import { centsAsUnitPrice, shareOf } from "./money";
import { type Period, periodAt, secondsBetween } from "./periods";
import { type Interval, mrrOf, type Plan, planKey, priceOf } from "./plans";

export interface PlanChoice {
  plan: Plan;
  interval: Interval;
}

export type ChangeKind = "upgrade" | "downgrade" | "interval_switch";

/**
 * What a change of plan is. A switch between monthly and annual starts a new period at once; on the
 * same interval, a plan with more monthly revenue is an upgrade (now, prorated), one with less is a
 * downgrade (at the end of the period, nothing to prorate). The same plan and interval is refused.
 */
export function changeKindOf(from: PlanChoice, to: PlanChoice): ChangeKind {
  if (from.interval !== to.interval) return "interval_switch";
  if (planKey(from.plan) === planKey(to.plan) || from.plan.plan_id === to.plan.plan_id)
    throw new InvalidInputError(
      "same_plan",
      `the subscription is already on ${to.plan.name} (${to.interval}ly)`,
    );
  return mrrOf(to.plan, to.interval) > mrrOf(from.plan, from.interval) ? "upgrade" : "downgrade";
}

export interface Proration {
  lines: InvoiceLine[];
  /** The period the subscription is in after the change: the same one, or a new one from `at`. */
  period: Period;
}

/**
 * The invoice lines of an immediate change at `at` inside `period`: a credit for the unused time of
 * the old plan, and either the rest of the period at the new plan (upgrade) or a whole new period at
 * the new interval (interval switch). Both shares are by the second.
 *
 * Example: Starter monthly ($49) on a 30-day period, upgraded to Professional ($199) after 10 days:
 * credit −$49 × 20/30 = −$32.67, charge $199 × 20/30 = $132.67, net $100.00.
 */
export function prorate(from: PlanChoice, to: PlanChoice, period: Period, at: Date): Proration {
  if (at < period.start || at >= period.end)
    throw new RangeError("a change is prorated inside the current period only");
  const kind = changeKindOf(from, to);
  if (kind === "downgrade")
    throw new InvalidInputError(
      "downgrade_not_prorated",
      "a downgrade takes effect at the end of the period",
    );
  const total = secondsBetween(period.start, period.end);
  const unused = secondsBetween(at, period.end);
  const oldPrice = priceOf(from.plan, from.interval);
  const credit = shareOf(oldPrice, unused, total);
  const lines: InvoiceLine[] = [];
  if (credit > 0)
    lines.push({
      kind: "proration",
      description: `Unused time on ${from.plan.name} (${from.interval}ly) after ${at.toISOString().slice(0, 10)}`,
      metric: null,
      quantity: 1,
      unit_price: centsAsUnitPrice(-credit),
      amount_cents: -credit,
      period_start: at,
      period_end: period.end,
    });
  if (kind === "interval_switch") {
    const next = periodAt(at, to.interval, 0);
    const price = priceOf(to.plan, to.interval);
    lines.push({
      kind: "base",
      description: `${to.plan.name} (${to.interval}ly)`,
      metric: null,
      quantity: 1,
      unit_price: centsAsUnitPrice(price),
      amount_cents: price,
      period_start: next.start,
      period_end: next.end,
    });
    return { lines, period: next };
  }
  const charge = shareOf(priceOf(to.plan, to.interval), unused, total);
  lines.push({
    kind: "proration",
    description: `Remaining time on ${to.plan.name} (${to.interval}ly) from ${at.toISOString().slice(0, 10)}`,
    metric: null,
    quantity: 1,
    unit_price: centsAsUnitPrice(charge),
    amount_cents: charge,
    period_start: at,
    period_end: period.end,
  });
  return { lines, period };
}
