// Generated from identity.events-platform.identity.PasswordChanged v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A person's password changed; every other session of theirs was revoked. */
export interface PasswordChanged {
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** "reset" (with a reset token) or "change" (signed in, with the old password). */
  method: string;
  /** How many sessions were ended by the change. */
  sessions_revoked: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
