// Generated from identity.events-platform.identity.AccountSwitched v1 by `platform-contracts types`; do not edit.

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

/** A person switched the organization their session acts in (seed 000 multi-account people). */
export interface AccountSwitched {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The session that switched. */
  session_id: string;
  /** The organization the session acted in before; null if none. */
  previous_account_id: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
