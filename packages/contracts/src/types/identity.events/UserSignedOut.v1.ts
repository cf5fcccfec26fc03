// Generated from identity.events-platform.identity.UserSignedOut v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

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
