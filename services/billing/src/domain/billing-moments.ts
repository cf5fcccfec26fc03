import { BillingEvent, type PlanSnapshot } from "@platform/contracts";
import type { AppliedDiscount } from "./discounts";
import type { BillingReason } from "./invoice-aggregate";
import { baseLine } from "./invoices";
import type { InvoiceLine } from "./lines";
import { sumOf } from "./lines";
import type { Period } from "./periods";
import { prorate } from "./proration";
import { intervalOf, planOfSnapshot } from "./snapshots";
import type { SubscriptionEvent, SubscriptionState } from "./subscriptions";

/**
 * Which invoice a subscription's decision implies (docs/billing.md, Invoices): the billing moments.
 *
 * - a trial converts (TrialEnded converted=true): the first period's base fee, in advance;
 * - a renewal (SubscriptionRenewed): the new period's base fee in advance, and the closed period's
 *   overages in arrears at the plan that period was billed at (added when the draft is finalized, from
 *   usage's UsagePeriodClosed);
 * - an upgrade or a change of billing cycle while paying: the proration lines, finalized and charged at once.
 *
 * `before` is the subscription as the decision read it: the closed period, the old plan and interval.
 */
export interface InvoiceToDraft {
  billingReason: BillingReason;
  currency: string;
  lines: InvoiceLine[];
  period: Period;
  usagePeriod: Period | null;
  usagePlan: PlanSnapshot | null;
}

const T = BillingEvent;

export function invoicesFor(
  before: SubscriptionState | null,
  events: readonly SubscriptionEvent[],
): InvoiceToDraft[] {
  if (!before) return [];
  const drafts: InvoiceToDraft[] = [];
  for (const event of events) {
    if (event.type === T.TrialEnded && event.data.converted) {
      const period = periodOfEvent(event.data);
      drafts.push(base(event.data.plan, period, "subscription_create", null, null));
    } else if (event.type === T.SubscriptionRenewed) {
      const period = periodOfEvent(event.data);
      const closed = { start: before.currentPeriodStart, end: before.currentPeriodEnd };
      drafts.push(base(event.data.plan, period, "subscription_cycle", closed, before.plan));
    } else if (
      (event.type === T.SubscriptionUpgraded || event.type === T.BillingCycleChanged) &&
      before.status !== "trialing"
    ) {
      // An upgrade takes effect at effective_at; a switch of cycle starts its new period at the switch.
      const at = new Date(
        event.type === T.SubscriptionUpgraded ? event.data.effective_at : event.data.current_period_start,
      );
      const from = { plan: planOfSnapshot(before.plan), interval: before.interval };
      const to = { plan: planOfSnapshot(event.data.plan), interval: intervalOf(event.data.plan) };
      const period = { start: before.currentPeriodStart, end: before.currentPeriodEnd };
      // The same rule the subscription decided with, at the same moment: the lines add up to its proration.
      const proration = prorate(from, to, period, at);
      if (sumOf(proration.lines) !== event.data.proration_cents)
        throw new Error(
          `proration lines ${sumOf(proration.lines)} ≠ the event's ${event.data.proration_cents}`,
        );
      drafts.push({
        billingReason: "subscription_update",
        currency: event.data.plan.currency,
        lines: proration.lines,
        period: periodOfEvent(event.data),
        usagePeriod: null,
        usagePlan: null,
      });
    }
  }
  return drafts;
}

function periodOfEvent(data: { current_period_start: number; current_period_end: number }): Period {
  return { start: new Date(data.current_period_start), end: new Date(data.current_period_end) };
}

function base(
  plan: PlanSnapshot,
  period: Period,
  billingReason: BillingReason,
  usagePeriod: Period | null,
  usagePlan: PlanSnapshot | null,
): InvoiceToDraft {
  return {
    billingReason,
    currency: plan.currency,
    lines: [baseLine(planOfSnapshot(plan), intervalOf(plan), period)],
    period,
    usagePeriod,
    usagePlan,
  };
}

/**
 * The discounts that reduce a subscription's next invoice. The seam for discounts on subscriptions
 * (DiscountApplied on the subscription aggregate, built beside this): until its state carries them,
 * none.
 */
export function discountsOf(state: SubscriptionState): readonly AppliedDiscount[] {
  return state.discounts;
}
