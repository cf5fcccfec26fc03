// Generated from usage.events-platform.usage.UsageRecorded v1 by `platform-contracts types`; do not edit.

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

/** Metered usage was recorded once per idempotency key. */
export interface UsageRecorded {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The record's id. */
  usage_id: string;
  /** The caller's key; a repeat is not counted twice. */
  idempotency_key: string;
  /** Metered metric: "api_calls", "storage_gb", "projects", "users" or another plan metric. */
  metric: string;
  /** Units consumed by this record. */
  quantity: number;
  /** Usage period start. */
  period_start: number;
  /** Usage period end. */
  period_end: number;
  /** Period total after this record. */
  period_total: number;
  /** Plan limit for the metric; -1 means unlimited. */
  limit: number;
  /** Free-form dimensions (JSON text for non-strings). */
  properties: Record<string, string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
