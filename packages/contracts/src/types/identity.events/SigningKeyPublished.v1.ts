// Generated from identity.events-platform.identity.SigningKeyPublished v1 by `platform-contracts types`; do not edit.

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

/** A public key that verifies access tokens; services verify tokens locally with it. */
export interface SigningKeyPublished {
  /** JWT kid. */
  key_id: string;
  /** JWS algorithm, e.g. "EdDSA" or "ES256". */
  algorithm: string;
  /** The public key as a JSON Web Key (JSON text). */
  public_key_jwk: string;
  /** Tokens signed with this key are issued from this time. */
  not_before: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
