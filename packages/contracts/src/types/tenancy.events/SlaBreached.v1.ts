// Generated from tenancy.events-platform.tenancy.SlaBreached v1 by `platform-contracts types`; do not edit.

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
