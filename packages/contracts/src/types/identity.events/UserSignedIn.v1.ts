// Generated from identity.events-platform.identity.UserSignedIn v1 by `platform-contracts types`; do not edit.

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

/** A session started (seed 000 user.signed_in). */
export interface UserSignedIn {
  /** Tenant: the organization (account) the event belongs to; null when the person belongs to no organization yet. */
  account_id: null | string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The new session's id; its refresh token is never published. */
  session_id: string;
  /** How the person authenticated: "password", "saml", "oidc" or "invitation". */
  method: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
