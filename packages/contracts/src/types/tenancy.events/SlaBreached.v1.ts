// Generated from tenancy.events-platform.tenancy.SlaBreached v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A ticket's SLA window passed without meeting it. */
export interface SlaBreached {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The ticket. */
  ticket_id: string;
  /** Ticket priority. */
  priority: string;
  /** "first_response" or "resolution". */
  sla: string;
  /** When the SLA is due. */
  due_at: number;
  /** Share of the SLA window elapsed when the event fired. */
  elapsed_percent: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
