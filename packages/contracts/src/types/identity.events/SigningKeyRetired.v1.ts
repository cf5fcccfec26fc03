// Generated from identity.events-platform.identity.SigningKeyRetired v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A signing key no longer verifies tokens. */
export interface SigningKeyRetired {
  /** JWT kid. */
  key_id: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
