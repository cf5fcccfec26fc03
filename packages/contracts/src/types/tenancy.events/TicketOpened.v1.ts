// Generated from tenancy.events-platform.tenancy.TicketOpened v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A support ticket was opened and triaged. */
export interface TicketOpened {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The ticket's id. */
  ticket_id: string;
  /** Subject line. */
  subject: string;
  /** "critical", "high", "medium" or "low". */
  priority: string;
  /** e.g. "billing", "technical", "account", "feature_request", "other". */
  category: string;
  /** "open", "pending", "resolved" or "closed". */
  ticket_status: string;
  /** Support agent assigned; null if unassigned. */
  assignee_id: null | string;
  /** Person who opened it; null if opened by staff. */
  requester_user_id: null | string;
  /** SLA: first response due. */
  first_response_due_at: number;
  /** SLA: resolution due. */
  resolution_due_at: number;
  /** When the first response was given. */
  first_responded_at: null | number;
  /** When it was resolved. */
  resolved_at: null | number;
  /** The requester's text. */
  description: null | string;
  /** The triage rule that suggested category and priority; null if none fired. */
  triage_rule: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
