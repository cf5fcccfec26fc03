// Generated from usage.events-platform.usage.UsagePeriodClosed v1 by `platform-contracts types`; do not edit.

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

/** A usage period ended; its totals are what billing invoices overages from. */
export interface UsagePeriodClosed {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription the period belongs to. */
  subscription_id: string;
  /** Usage period start. */
  period_start: number;
  /** Usage period end. */
  period_end: number;
  /** Total by metric. */
  totals: Record<string, number>;
  /** Plan limit by metric; -1 means unlimited. */
  limits: Record<string, number>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
