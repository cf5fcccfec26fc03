import { isDeepStrictEqual } from "node:util";
import type { PlanPublished } from "@platform/contracts";
import type { Decided } from "./events";
import { type Plan, priceOf } from "./plans";
import { snapshotOf } from "./snapshots";

/**
 * Publishing the catalog (`PlanPublished`, docs/billing.md, Plans): one aggregate per plan,
 * `plan:<plan_id>`, whose event versions are the plan's versions, so "published up to version n" is
 * the aggregate's version in the log and publishing at every start is idempotent. A released version
 * is immutable: its terms in catalog/plans.json must stay what was published, and a version once
 * published stays in the file (subscriptions sold at it are renewed and replayed from it).
 */
export const planAggregateId = (planId: string) => `plan:${planId}`;

export function planPublishedOf(plan: Plan): Decided<PlanPublished> {
  return {
    plan: snapshotOf(plan, "month"),
    version: plan.version,
    prices: { month: priceOf(plan, "month"), year: priceOf(plan, "year") },
    charges: JSON.stringify(plan.charges),
  };
}

/** The terms a published event fixes, compared by value (the log's JSON does not keep key order). */
const termsOf = (payload: Decided<PlanPublished>) => [
  payload.plan,
  payload.version,
  payload.prices,
  JSON.parse(payload.charges),
];

export interface PlanLog {
  planId: string;
  /** The payloads already published, by version (index 0 is version 1). */
  published: readonly Decided<PlanPublished>[];
}

/**
 * What to publish for one plan: its versions after the log's last, in order. Throws (the service does
 * not start) when the file and the log disagree: a published version edited or removed, or a gap in
 * the versions (each version is the aggregate's next event).
 */
export function unpublishedVersions(plans: readonly Plan[], log: PlanLog): Plan[] {
  const versions = plans.filter((plan) => plan.plan_id === log.planId).sort((a, b) => a.version - b.version);
  const problems: string[] = [];
  versions.forEach((plan, index) => {
    if (plan.version !== index + 1) problems.push(`${log.planId} v${plan.version} follows v${index}`);
  });
  log.published.forEach((payload, index) => {
    const plan = versions[index];
    if (!plan) problems.push(`${log.planId} v${index + 1} was published and is missing from the catalog`);
    else if (!isDeepStrictEqual(termsOf(planPublishedOf(plan)), termsOf(payload)))
      problems.push(`${log.planId} v${index + 1} differs from what was published: a change is a new version`);
  });
  if (problems.length > 0) throw new Error(`plan catalog: ${problems.join("; ")}`);
  return versions.slice(log.published.length);
}
