// Generated from tenancy.events-platform.tenancy.HealthScoreDropped v1 by `platform-contracts types`; do not edit.

/** One signal's share of the score. */
export interface HealthFactor {
  /** "usage", "engagement", "billing" or "support". */
  name: string;
  /** The factor's own score, 0-100. */
  score: number;
  /** Weight of the factor; weights add up to 1. */
  weight: number;
  /** Points the factor adds to the score (score x weight). */
  contribution: number;
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

/** The health score fell under the alert threshold. */
export interface HealthScoreDropped {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Health score, 0-100. */
  score: number;
  /** Score before. */
  previous_score: number;
  /** The threshold crossed (50). */
  threshold: number;
  /** How each factor contributed. */
  factors: Array<HealthFactor>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
