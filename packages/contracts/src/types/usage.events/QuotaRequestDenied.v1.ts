// Generated from usage.events-platform.usage.QuotaRequestDenied v1 by `platform-contracts types`; do not edit.

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

/** A request was refused because it would exceed the plan limit. */
export interface QuotaRequestDenied {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Metered metric: "api_calls", "storage_gb", "projects", "users" or another plan metric. */
  metric: string;
  /** Units the request needed. */
  requested: number;
  /** Period total. */
  current: number;
  /** Plan limit. */
  limit: number;
  /** Usage period start. */
  period_start: number;
  /** Usage period end. */
  period_end: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
