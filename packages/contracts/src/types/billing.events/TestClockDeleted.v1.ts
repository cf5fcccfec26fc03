// Generated from billing.events-platform.billing.TestClockDeleted v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A test clock was deleted: it takes no more advances or attachments, and the subscriptions attached to it stay frozen at its last time, taking no more commands. */
export interface TestClockDeleted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The test clock's id. */
  test_clock_id: string;
  /** The clock's last time. */
  frozen_time: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
