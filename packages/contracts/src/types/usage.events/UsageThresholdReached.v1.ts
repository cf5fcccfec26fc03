// Generated from usage.events-platform.usage.UsageThresholdReached v1 by `platform-contracts types`; do not edit.

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

/** Period usage crossed 80, 90 or 100 % of the plan limit (once per threshold per period). */
export interface UsageThresholdReached {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Metered metric: "api_calls", "storage_gb", "projects", "users" or another plan metric. */
  metric: string;
  /** 80, 90 or 100. */
  threshold_percent: number;
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
