import type { PlanSnapshot } from "@platform/contracts";
import { type Plan, priceOf } from "../domain/plans";
import type { Subscription } from "../generated/prisma/client";

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
  };
}
