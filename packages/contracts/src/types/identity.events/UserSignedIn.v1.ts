// Generated from identity.events-platform.identity.UserSignedIn v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

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
