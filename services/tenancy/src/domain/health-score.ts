/**
 * Customer health score (seed 001 "Customer Success": a daily 0-100 score; below 50 the organization
 * "needs attention"). The seed asks an AI for it; here it is a fixed, explainable formula so that a
 * success rep can read the factors and see why a score moved, and so that the same signals always
 * give the same score (replaying events must not change history).
 *
 * Four factors, each scored 0-100, weighted:
 *
 * - usage (35 %): the strongest predictor of renewal is whether the product is used. Sub-signals,
 *   averaged over those present:
 *   - seat utilisation (weight 0.5): active users / seats, full marks at 80 % because some seats are
 *     always bought for growth or held by people on leave; paid-for seats nobody uses are shelfware,
 *     the classic churn signal. Zero active users scores 0 even when the seat count is unknown.
 *   - feature adoption (0.3): adopted / available, full marks at 50 % because nobody needs every
 *     feature; breadth of adoption raises switching costs.
 *   - API quota used (0.2): 0 % scores 50, not 0, since many customers only use the UI and that is
 *     not a risk; rising use shows integration (sticky), full marks at 50 % of quota. Above 100 %
 *     the customer is throttled or paying overage: friction, so it drops to 80.
 * - engagement (25 %): usage breadth says who, engagement says how recently and how often.
 *   - recency (0.6): a last login up to 7 days ago is normal for a weekly B2B tool (100); after
 *     that the score falls linearly to 0 at 60 days, when an account is effectively dormant.
 *   - frequency (0.4): logins in 30 days per active user (else per seat, else for the whole
 *     organization), full marks at 4 (weekly use); normalising keeps large and small customers
 *     comparable, and per active user keeps it from double-counting unused seats.
 * - billing (25 %): starts at 100 and subtracts, because any billing problem is a red flag and
 *   averaging would hide it. Each payment failure in 90 days costs 30 (one is usually an expired
 *   card that dunning recovers; three mean involuntary churn is near). Each overdue invoice costs
 *   40, but 20 on the enterprise tier, whose net-terms invoices routinely slip through procurement.
 *   The plan tier alone is not a signal: with neither count known the factor is missing.
 * - support (15 %): the lowest weight because tickets are ambiguous (engaged customers file them).
 *   Starts at 100; each critical ticket in 30 days costs 25 and each SLA breach 20 (we broke a
 *   promise, which erodes trust more than the original problem); open tickets beyond 2 cost 5 each,
 *   at most 30, since a small backlog is normal.
 *
 * A factor with no data scores a neutral 50 and is flagged `missing`, so a new organization is
 * neither alarming nor falsely healthy. Factor scores are integers; contributions are integers
 * apportioned by largest remainder so that they add up to the score exactly (the breakdown shown
 * to a rep must not disagree with the headline number by a rounding point).
 */
import { InvalidInputError } from "@platform/errors";

export type PlanTier = "starter" | "professional" | "enterprise";
export type HealthFactorName = "usage" | "engagement" | "billing" | "support";

type Maybe<T> = T | null | undefined;

export interface UsageSignals {
  activeUsers30d?: Maybe<number>;
  seats?: Maybe<number>;
  /** Share of the API quota used in the period: 0-1, above 1 when over quota. */
  apiCallsUsedPct?: Maybe<number>;
  featuresAdopted?: Maybe<number>;
  featuresAvailable?: Maybe<number>;
}

export interface EngagementSignals {
  daysSinceLastLogin?: Maybe<number>;
  logins30d?: Maybe<number>;
}

export interface BillingSignals {
  paymentFailures90d?: Maybe<number>;
  overdueInvoices?: Maybe<number>;
  planTier?: Maybe<PlanTier>;
}

export interface SupportSignals {
  openTickets?: Maybe<number>;
  criticalTickets30d?: Maybe<number>;
  slaBreaches30d?: Maybe<number>;
}

/** Everything is optional: each group arrives from another service's events, at its own pace. */
export interface HealthSignals {
  usage?: Maybe<UsageSignals>;
  engagement?: Maybe<EngagementSignals>;
  billing?: Maybe<BillingSignals>;
  support?: Maybe<SupportSignals>;
}

export interface HealthFactor {
  name: HealthFactorName;
  /** The factor's own score, 0-100 (50 when missing). */
  score: number;
  weight: number;
  /** Points this factor adds to the total; contributions sum to the score exactly. */
  contribution: number;
  /** True when no signal for this factor was available and the neutral score was used. */
  missing: boolean;
}

export interface HealthScore {
  score: number;
  factors: HealthFactor[];
}

/** Below this an organization needs attention (seed 001). */
export const HEALTH_ATTENTION_THRESHOLD = 50;
export const NEUTRAL_FACTOR_SCORE = 50;

// Weights in whole percent so the apportionment below is exact integer arithmetic.
const WEIGHT_PERCENT: Record<HealthFactorName, number> = {
  usage: 35,
  engagement: 25,
  billing: 25,
  support: 15,
};

export const HEALTH_WEIGHTS: Readonly<Record<HealthFactorName, number>> = Object.freeze({
  usage: 0.35,
  engagement: 0.25,
  billing: 0.25,
  support: 0.15,
});

const FACTOR_ORDER: readonly HealthFactorName[] = ["usage", "engagement", "billing", "support"];
const PLAN_TIERS: readonly PlanTier[] = ["starter", "professional", "enterprise"];

function invalid(field: string, value: unknown, reason: string): InvalidInputError {
  return new InvalidInputError("invalid_health_signal", `health signal ${field} ${reason}`, {
    details: { field, value },
  });
}

function groupOf(signals: Record<string, unknown>, name: HealthFactorName): Record<string, unknown> | null {
  const group = signals[name];
  if (group === undefined || group === null) return null;
  if (typeof group !== "object" || Array.isArray(group)) throw invalid(name, group, "must be an object");
  return group as Record<string, unknown>;
}

/** A non-negative finite number, or null when absent. */
function count(group: Record<string, unknown> | null, groupName: string, key: string): number | null {
  const value = group?.[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw invalid(`${groupName}.${key}`, value, "must be a finite number");
  }
  if (value < 0) throw invalid(`${groupName}.${key}`, value, "must not be negative");
  return value;
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/** Weighted mean of the parts that are present, as a 0-100 integer; null when none is. */
function blend(parts: ReadonlyArray<readonly [score: number | null, weight: number]>): number | null {
  let sum = 0;
  let weights = 0;
  for (const [score, weight] of parts) {
    if (score === null) continue;
    sum += clamp01(score) * weight;
    weights += weight;
  }
  return weights === 0 ? null : Math.round((sum / weights) * 100);
}

function usageScore(group: Record<string, unknown> | null): number | null {
  const active = count(group, "usage", "activeUsers30d");
  const seats = count(group, "usage", "seats");
  const apiPct = count(group, "usage", "apiCallsUsedPct");
  const adopted = count(group, "usage", "featuresAdopted");
  const available = count(group, "usage", "featuresAvailable");

  let seatUtilisation: number | null = null;
  if (active === 0) seatUtilisation = 0;
  else if (active !== null && seats !== null && seats > 0) seatUtilisation = active / seats / 0.8;

  const adoption = adopted !== null && available !== null && available > 0 ? adopted / available / 0.5 : null;

  let api: number | null = null;
  if (apiPct !== null) api = apiPct > 1 ? 0.8 : 0.5 + clamp01(apiPct / 0.5) * 0.5;

  return blend([
    [seatUtilisation, 0.5],
    [adoption, 0.3],
    [api, 0.2],
  ]);
}

function engagementScore(group: Record<string, unknown> | null, usage: Record<string, unknown> | null) {
  const days = count(group, "engagement", "daysSinceLastLogin");
  const logins = count(group, "engagement", "logins30d");
  // Already validated by usageScore; read again only as the normalising base.
  const active = count(usage, "usage", "activeUsers30d");
  const seats = count(usage, "usage", "seats");

  const recency = days === null ? null : days <= 7 ? 1 : 1 - (days - 7) / (60 - 7);

  let frequency: number | null = null;
  if (logins !== null) {
    const people = active !== null && active > 0 ? active : seats !== null && seats > 0 ? seats : 1;
    frequency = logins / (4 * people);
  }

  return blend([
    [recency, 0.6],
    [frequency, 0.4],
  ]);
}

function billingScore(group: Record<string, unknown> | null): number | null {
  const failures = count(group, "billing", "paymentFailures90d");
  const overdue = count(group, "billing", "overdueInvoices");
  const tier = group?.planTier;
  if (tier !== undefined && tier !== null && !PLAN_TIERS.includes(tier as PlanTier)) {
    throw invalid("billing.planTier", tier, `must be one of ${PLAN_TIERS.join(", ")} or null`);
  }
  if (failures === null && overdue === null) return null;
  const overduePenalty = tier === "enterprise" ? 20 : 40;
  const penalty = (failures ?? 0) * 30 + (overdue ?? 0) * overduePenalty;
  return Math.round(Math.max(0, 100 - penalty));
}

function supportScore(group: Record<string, unknown> | null): number | null {
  const open = count(group, "support", "openTickets");
  const critical = count(group, "support", "criticalTickets30d");
  const breaches = count(group, "support", "slaBreaches30d");
  if (open === null && critical === null && breaches === null) return null;
  const backlogPenalty = Math.min(30, Math.max(0, (open ?? 0) - 2) * 5);
  const penalty = (critical ?? 0) * 25 + (breaches ?? 0) * 20 + backlogPenalty;
  return Math.round(Math.max(0, 100 - penalty));
}

export function computeHealthScore(signals: HealthSignals): HealthScore {
  if (signals === null || typeof signals !== "object" || Array.isArray(signals)) {
    throw invalid("signals", signals, "must be an object");
  }
  const raw = signals as Record<string, unknown>;
  const usage = groupOf(raw, "usage");
  const scores: Record<HealthFactorName, number | null> = {
    usage: usageScore(usage),
    engagement: engagementScore(groupOf(raw, "engagement"), usage),
    billing: billingScore(groupOf(raw, "billing")),
    support: supportScore(groupOf(raw, "support")),
  };

  // Work in hundredths of a point: factor scores and weights are integers, so this is exact.
  const parts = FACTOR_ORDER.map((name) => {
    const score = scores[name] ?? NEUTRAL_FACTOR_SCORE;
    const hundredths = score * WEIGHT_PERCENT[name];
    return {
      name,
      score,
      missing: scores[name] === null,
      floor: Math.floor(hundredths / 100),
      remainder: hundredths % 100,
      hundredths,
    };
  });
  const totalHundredths = parts.reduce((sum, part) => sum + part.hundredths, 0);
  const score = Math.floor((totalHundredths + 50) / 100);

  // Largest remainder: the points lost to flooring go to the factors that lost the most.
  let extra = score - parts.reduce((sum, part) => sum + part.floor, 0);
  const bonus = new Set<HealthFactorName>();
  const byRemainder = [...parts].sort(
    (a, b) => b.remainder - a.remainder || WEIGHT_PERCENT[b.name] - WEIGHT_PERCENT[a.name],
  );
  for (const part of byRemainder) {
    if (extra <= 0) break;
    bonus.add(part.name);
    extra--;
  }

  return {
    score,
    factors: parts.map((part) => ({
      name: part.name,
      score: part.score,
      weight: HEALTH_WEIGHTS[part.name],
      contribution: part.floor + (bonus.has(part.name) ? 1 : 0),
      missing: part.missing,
    })),
  };
}

/**
 * True when this score should raise "needs attention": the score fell from at or above the
 * threshold to below it, or the very first score is already below it. Staying below does not fire
 * again, so a struggling customer is not re-alerted every day.
 */
export function crossedBelow(
  previous: number | null,
  next: number,
  threshold = HEALTH_ATTENTION_THRESHOLD,
): boolean {
  for (const [field, value] of [
    ["next", next],
    ["threshold", threshold],
    ["previous", previous ?? 0],
  ] as const) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new InvalidInputError("invalid_health_score", `${field} must be a finite number`, {
        details: { field, value },
      });
    }
  }
  if (previous === null || previous === undefined) return next < threshold;
  return previous >= threshold && next < threshold;
}
