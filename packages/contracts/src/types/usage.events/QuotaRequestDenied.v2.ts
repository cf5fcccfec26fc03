// Generated from usage.events-platform.usage.QuotaRequestDenied v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A request was refused because it would exceed the plan limit. */
export interface QuotaRequestDenied {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Unique id of this refusal: the event id (the event-id header), so a consumer counts a redelivered refusal once. Empty in v1 records. */
  denial_id: string;
  /** Metered metric: "api_calls", "storage_gb", "projects", "users" or another plan metric. */
  metric: string;
  /** Units the request needed. */
  requested: number;
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
