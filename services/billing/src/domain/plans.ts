import { type Charge, chargeProblems } from "./charges";
import { assertCents, type Cents } from "./money";

export const METRICS = ["users", "projects", "storage_gb", "api_calls"] as const;
export type Metric = (typeof METRICS)[number];
export type Interval = "month" | "year";

/** A limit of -1 is unlimited (seed 001). */
export const UNLIMITED = -1;

/**
 * The annual rule: a year costs ten months (two months free), the common SaaS discount for paying
 * ahead. Written once here so the catalog lists only monthly prices.
 */
export const MONTHS_PAID_PER_YEAR = 10;

/**
 * One version of a plan. A price or limit change is a new version of the same plan_id; a subscription
 * keeps the version it was sold at until it changes plan (Stripe's prices are immutable the same way).
 */
export interface Plan {
  plan_id: string;
  version: number;
  name: string;
  currency: string;
  monthly_price_cents: Cents;
  limits: Record<Metric, number>;
  features: string[];
  /** Overage charges by metric, for usage beyond the limit. A metric without one is a hard limit. */
  charges: Partial<Record<Metric, Charge>>;
}

export interface Catalog {
  catalog_version: number;
  currency: string;
  plans: Omit<Plan, "currency">[];
}

export const planKey = (plan: Pick<Plan, "plan_id" | "version">) => `${plan.plan_id}@v${plan.version}`;

export function priceOf(plan: Plan, interval: Interval): Cents {
  return interval === "month" ? plan.monthly_price_cents : plan.monthly_price_cents * MONTHS_PAID_PER_YEAR;
}

/** Monthly recurring revenue of a plan at an interval: an annual price counts one twelfth a month. */
export function mrrOf(plan: Plan, interval: Interval): Cents {
  return interval === "month" ? plan.monthly_price_cents : Math.round(priceOf(plan, "year") / 12);
}

/** The catalog's plans, checked; throws with every problem found, so a bad catalog never starts. */
export function plansOf(catalog: Catalog): Plan[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const plans = catalog.plans.map((entry) => {
    const plan: Plan = { ...entry, currency: catalog.currency };
    const key = planKey(plan);
    if (seen.has(key)) problems.push(`${key} is listed twice`);
    seen.add(key);
    try {
      assertCents(plan.monthly_price_cents, `${key} monthly_price_cents`);
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (plan.monthly_price_cents < 0) problems.push(`${key}: a price cannot be negative`);
    for (const metric of METRICS) {
      const limit = plan.limits[metric];
      if (!Number.isSafeInteger(limit) || limit < UNLIMITED)
        problems.push(`${key}: limit ${metric} is ${limit}`);
    }
    for (const [metric, charge] of Object.entries(plan.charges)) {
      if (!(METRICS as readonly string[]).includes(metric))
        problems.push(`${key}: charge for unknown metric ${metric}`);
      for (const problem of chargeProblems(charge as Charge)) problems.push(`${key} ${metric}: ${problem}`);
    }
    return plan;
  });
  if (problems.length > 0) throw new Error(`plan catalog: ${problems.join("; ")}`);
  return plans;
}

/** The newest version of each plan: what a new subscription is sold. */
export function currentPlans(plans: readonly Plan[]): Map<string, Plan> {
  const current = new Map<string, Plan>();
  for (const plan of plans) {
    const known = current.get(plan.plan_id);
    if (!known || known.version < plan.version) current.set(plan.plan_id, plan);
  }
  return current;
}
