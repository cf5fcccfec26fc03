// Generated from identity.events-platform.identity.AccessRevoked v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

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
