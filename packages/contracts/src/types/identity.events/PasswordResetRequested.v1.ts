// Generated from identity.events-platform.identity.PasswordResetRequested v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A password reset was requested; the reset token itself is never published. */
export interface PasswordResetRequested {
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The person's e-mail address, lower-cased. Internal domain log only: public streams carry a hash. */
  email: string;
  /** When the reset token stops working. */
  expires_at: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
