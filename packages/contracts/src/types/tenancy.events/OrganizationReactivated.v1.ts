// Generated from tenancy.events-platform.tenancy.OrganizationReactivated v1 by `platform-contracts types`; do not edit.

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

/** A suspended organization was reactivated. */
export interface OrganizationReactivated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Status before the event. */
  previous_status: string;
  /** Lifecycle status after the event: "created", "onboarded", "active", "suspended" or "closed". */
  status: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
