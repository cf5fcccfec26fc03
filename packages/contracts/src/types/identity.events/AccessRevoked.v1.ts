// Generated from identity.events-platform.identity.AccessRevoked v1 by `platform-contracts types`; do not edit.

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

/** Access tokens issued up to a moment stop working everywhere: every service's verifier keeps these (for the longest token lifetime) and refuses a matching token before it expires. Published whenever identity ends a session, revokes an API key, or a person's rights in an organization shrink or end. */
export interface AccessRevoked {
  /** Tenant: the organization the revocation is limited to; null when it reaches the person everywhere (scope "user") or a session outside any organization. */
  account_id: null | string;
  /** What the revocation matches: "session" (tokens with this sid), "api_key" (tokens of this API key), "user" (every token of this person), "membership" (this person's tokens acting in account_id). */
  scope: string;
  /** The session id, API key id or user id the scope names. */
  subject_id: string;
  /** Tokens issued at or before this moment (iat, whole seconds, compared conservatively) are refused; later ones, such as a re-exchanged key's narrower token, are not. */
  tokens_issued_before: number;
  /** Why: signed_out, refresh_token_reused, password_changed, deactivated, api_key_revoked, parent_revoked, member_removed, role_changed, role_redefined, creator_rights_changed. */
  reason: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
