// Generated from tenancy.events-platform.tenancy.OnboardingItemCompleted v1 by `platform-contracts types`; do not edit.

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

/** An onboarding checklist item was fulfilled by the event named. */
export interface OnboardingItemCompleted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** "verify_email", "add_team_members", "configure_settings", "create_first_project" or "set_up_billing". */
  item: string;
  /** Full name of the event type that fulfilled it. */
  fulfilled_by_event: string;
  /** Items completed so far. */
  completed_items: Array<string>;
  /** Items still open. */
  pending_items: Array<string>;
  /** Completed share of the checklist, 0-100. */
  progress_percent: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
