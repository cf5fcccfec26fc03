// Generated from billing.events-platform.billing.TestClockAttached v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The subscription follows a test clock from now on: its commands and scheduled steps happen at the clock's time, and only when the clock is advanced (the service's scheduler leaves it alone). */
export interface TestClockAttached {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** The test clock's id. */
  test_clock_id: string;
  /** The clock's time when the subscription was attached. */
  frozen_time: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
