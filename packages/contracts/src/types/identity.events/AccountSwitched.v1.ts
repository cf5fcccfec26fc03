// Generated from identity.events-platform.identity.AccountSwitched v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A person switched the organization their session acts in (seed 000 multi-account people). */
export interface AccountSwitched {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The session that switched. */
  session_id: string;
  /** The organization the session acted in before; null if none. */
  previous_account_id: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
