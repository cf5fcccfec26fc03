// Generated from billing.events-platform.billing.PlanPublished v2 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** A version of a catalog plan was published: the whole plan at that version (billing publishes every version of catalog/plans.json once, at start). A price or limit change is a new version; subscriptions keep the version they were sold until they change plan. */
export interface PlanPublished {
  /** The plan version's monthly terms (price per month, limits, overage unit prices, features). */
  plan: PlanSnapshot;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
  /** The plan version (per plan_id, from 1); 0 in events written before versions were carried. */
  version: number;
  /** Price per billing interval ("month", "year") in the currency's minor unit; empty in events written before prices were carried. */
  prices: Record<string, number>;
  /** Overage charges by metric as JSON text, after Lago's charge models: {"api_calls": {"model": "package", "package_size": 1000, "package_price": "5.00"}, "storage_gb": {"model": "graduated", "tiers": [{"up_to": 100, "unit_price": "0.50"}, {"up_to": null, "unit_price": "0.25"}]}}; prices are decimal strings in the major unit. "{}" when none. */
  charges: string;
}
