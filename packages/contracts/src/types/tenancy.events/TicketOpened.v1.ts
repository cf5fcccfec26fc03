// Generated from tenancy.events-platform.tenancy.TicketOpened v1 by `platform-contracts types`; do not edit.

/** Who caused the event and from where: the audit trail's who and from-where. */
export interface Actor {
  /** Kind of actor: "user", "api_key", "scim", "sso" (an identity provider), or "system" (jobs, projections). */
  type: string;
  /** Id of the user, API key, SCIM token or SSO connection; null for "system". */
  id: null | string;
  /** Client address the request came from; null when not caused by a request. */
  ip_address: null | string;
  /** Client user agent; null when not caused by a request. */
  user_agent: null | string;
}

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
