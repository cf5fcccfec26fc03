// Generated from billing.events-platform.billing.TestClockCreated v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A test clock was created, frozen at frozen_time (Stripe's test clocks): organizations attached to it live at its time, which moves only when it is advanced. */
export interface TestClockCreated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The test clock's id. */
  test_clock_id: string;
  /** A name the organization gave it. */
  name: null | string;
  /** The clock's time. */
  frozen_time: number;
  /** After this (by the service's own clock) the clock takes no more advances or attachments. */
  expires_at: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
