// Generated from usage.events-platform.usage.UsageRecorded v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** Metered usage was recorded once per idempotency key. */
export interface UsageRecorded {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The record's id. */
  usage_id: string;
  /** The caller's key; a repeat is not counted twice. */
  idempotency_key: string;
  /** Metered metric: "api_calls", "storage_gb", "projects", "users" or another plan metric. */
  metric: string;
  /** Units consumed by this record. */
  quantity: number;
  /** Usage period start. */
  period_start: number;
  /** Usage period end. */
  period_end: number;
  /** Period total after this record. */
  period_total: number;
  /** Plan limit for the metric; -1 means unlimited. */
  limit: number;
  /** Free-form dimensions (JSON text for non-strings). */
  properties: Record<string, string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
