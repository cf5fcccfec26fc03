// Generated from billing.events-platform.billing.TestClockAdvanced v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A test clock moved forward; every step due on its attached subscriptions up to frozen_time ran, in time order, each at its own due moment. */
export interface TestClockAdvanced {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The test clock's id. */
  test_clock_id: string;
  /** The clock's time before. */
  previous_frozen_time: number;
  /** The clock's time after: later than before. */
  frozen_time: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
