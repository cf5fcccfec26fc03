// Generated from identity.events-platform.identity.UserSignedOut v1 by `platform-contracts types`; do not edit.

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

/** A session ended (seed 000 user.signed_out). */
export interface UserSignedOut {
  /** Tenant: the organization (account) the event belongs to; null when the session had no current organization. */
  account_id: null | string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The ended session. */
  session_id: string;
  /** Why: "user" (signed out), "password_changed", "deactivated" or "revoked" (by an administrator). */
  reason: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
