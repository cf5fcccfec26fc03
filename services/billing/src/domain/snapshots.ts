import type { PlanSnapshot } from "@platform/contracts";
import Big from "big.js";
import { CATALOG_PLANS } from "./catalog";
import { type Interval, METRICS, type Plan, priceOf } from "./plans";

/**
 * A plan version as the billing events carry it (PlanSnapshot): price at the interval, limits, the
 * overage price per unit by metric, features. Readers (tenancy's seat limit, usage's quotas) take the
 * plan from here and never ask billing.
 */
export function snapshotOf(plan: Plan, interval: Interval): PlanSnapshot {
  const overage: Record<string, string> = {};
  for (const metric of METRICS) {
    const charge = plan.charges[metric];
    if (!charge) continue;
    // One unit's price: a package's price per unit, a graduated charge's first tier (its dearest).
    overage[metric] =
      charge.model === "package"
        ? new Big(charge.package_price).div(charge.package_size).toString()
        : (charge.tiers[0]?.unit_price ?? "0");
  }
  return {
    plan_id: plan.plan_id,
    name: plan.name,
    interval,
    price_cents: priceOf(plan, interval),
    currency: plan.currency,
    limits: { ...plan.limits },
    overage_unit_prices: overage,
    features: [...plan.features],
  };
}

export function intervalOf(snapshot: Pick<PlanSnapshot, "interval">): Interval {
  if (snapshot.interval !== "month" && snapshot.interval !== "year")
    throw new RangeError(`unknown billing interval ${snapshot.interval}`);
  return snapshot.interval;
}

const sameLimits = (a: Record<string, number>, b: Record<string, number>) =>
  METRICS.every((metric) => a[metric] === b[metric]);

/**
 * The catalog's plan version a snapshot was sold from. PlanSnapshot v1 has no version field, so the
 * version is recognised by its terms: a price or limit change is what makes a new version
 * (docs/billing.md, Plans), so plan id, price and limits name exactly one. The catalog keeps every
 * version it ever sold, so a replay of old events still finds theirs.
 */
export function planOfSnapshot(snapshot: PlanSnapshot, plans: readonly Plan[] = CATALOG_PLANS): Plan {
  const interval = intervalOf(snapshot);
  const matches = plans.filter(
    (plan) =>
      plan.plan_id === snapshot.plan_id &&
      priceOf(plan, interval) === snapshot.price_cents &&
      sameLimits(plan.limits, snapshot.limits),
  );
  const newest = matches.sort((a, b) => b.version - a.version)[0];
  if (!newest) throw new RangeError(`no catalog version of ${snapshot.plan_id} sells at these terms`);
  return newest;
}
