// Generated from usage.events-platform.usage.UsagePeriodClosed v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A usage period ended; its totals are what billing invoices overages from. */
export interface UsagePeriodClosed {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription the period belongs to. */
  subscription_id: string;
  /** Usage period start. */
  period_start: number;
  /** Usage period end. */
  period_end: number;
  /** Total by metric. */
  totals: Record<string, number>;
  /** Plan limit by metric; -1 means unlimited. */
  limits: Record<string, number>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
  /** Where the usage count stood when the period closed: the next offset of each usage.ingest partition ("<topic>:<partition>") the count had applied. An event of this period at or past its partition's offset came too late and is not counted, live or in a rebuild. */
  applied_offsets: Record<string, number>;
}
