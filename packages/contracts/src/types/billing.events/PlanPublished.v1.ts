// Generated from billing.events-platform.billing.PlanPublished v1 by `platform-contracts types`; do not edit.

/** A plan as it was when the event happened. */
export interface PlanSnapshot {
  /** e.g. "starter", "professional", "enterprise". */
  plan_id: string;
  /** Display name. */
  name: string;
  /** Billing interval: "month" or "year". */
  interval: string;
  /** Price per interval, in the currency's minor unit. */
  price_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** Limits by metric (users, projects, storage_gb, api_calls); -1 means unlimited. */
  limits: Record<string, number>;
  /** Price per unit beyond the limit by metric, as a decimal string in the currency's major unit (e.g. "0.001"). */
  overage_unit_prices: Record<string, string>;
  /** Features the plan includes. */
  features: Array<string>;
}

/** Who caused the event and from where: the audit trail's who and from-where. */
export interface Actor {
  /** Kind of actor: "user", "api_key", "scim", "sso" (an identity provider), or "system" (jobs, projections). */
  type: string;
  /** Id of the user, API key, SCIM token or SSO connection; null for "system". */
  id: null | string;
  /** Client address the request came from; null when not caused by a request. */
  ip_address: null | string;
  /** Client user agent; null when not caused by a request. */
  user_agent: null | string;
}

/** A plan of the catalog was published or changed; carries the whole plan. */
export interface PlanPublished {
  /** The plan. */
  plan: PlanSnapshot;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
