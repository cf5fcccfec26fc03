// Generated from usage.events-platform.usage.UsageThresholdReached v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** Period usage crossed 80, 90 or 100 % of the plan limit (once per threshold per period). */
export interface UsageThresholdReached {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Metered metric: "api_calls", "storage_gb", "projects", "users" or another plan metric. */
  metric: string;
  /** 80, 90 or 100. */
  threshold_percent: number;
  /** Period total. */
  current: number;
  /** Plan limit. */
  limit: number;
  /** Usage period start. */
  period_start: number;
  /** Usage period end. */
  period_end: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
