import type { PlanSnapshot } from "@platform/contracts";
import { type AppliedDiscount, stillApplies } from "../domain/discounts";
import { type Plan, priceOf } from "../domain/plans";
import { discountsOfJson } from "../domain/subscription-discounts";
import type { Subscription, TestClock } from "../generated/prisma/client";

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function planJson(plan: Plan) {
  return {
    plan_id: plan.plan_id,
    version: plan.version,
    name: plan.name,
    currency: plan.currency,
    prices: { month: priceOf(plan, "month"), year: priceOf(plan, "year") },
    limits: plan.limits,
    features: plan.features,
    overage_charges: plan.charges,
  };
}

export function subscriptionJson(row: Subscription) {
  const plan = row.plan as unknown as PlanSnapshot;
  const scheduled = row.scheduledPlan as unknown as PlanSnapshot | null;
  return {
    subscription_id: row.id,
    account_id: row.accountId,
    status: row.status,
    plan: { ...plan, version: row.planVersion },
    interval: row.interval,
    mrr_cents: row.mrrCents,
    trial_end: iso(row.trialEnd),
    current_period_start: iso(row.currentPeriodStart),
    current_period_end: iso(row.currentPeriodEnd),
    scheduled_downgrade: scheduled ? { plan: scheduled, effective_at: iso(row.currentPeriodEnd) } : null,
    cancel_at_period_end: row.status === "canceled",
    ends_at: iso(row.endsAt),
    payment_method_id: row.paymentMethodId,
    past_due_since: iso(row.pastDueSince),
    discounts: discountsOfJson(row.discounts).map(discountJson),
    test_clock_id: row.testClockId,
  };
}

function discountJson(applied: AppliedDiscount) {
  const { discount } = applied;
  return {
    discount_id: discount.discount_id,
    kind: discount.kind,
    percent_off: discount.percent_off ?? null,
    amount_off_cents: discount.amount_off_cents ?? null,
    duration: discount.duration,
    duration_in_periods: discount.duration_in_periods ?? null,
    applied_at: applied.applied_at.toISOString(),
    invoices_discounted: applied.invoices_discounted,
    /** Whether it still reduces the next invoice (a spent once/repeating discount stays listed). */
    active: stillApplies(applied),
  };
}

export function testClockJson(row: TestClock, pending: boolean) {
  return {
    test_clock_id: row.id,
    account_id: row.accountId,
    name: row.name,
    frozen_time: row.frozenTime.toISOString(),
    // Stripe's statuses: "advancing" while steps due up to the clock's time are still to run.
    status: row.status === "deleted" ? "deleted" : pending ? "advancing" : "ready",
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}
