// Generated from identity.events-platform.identity.RoleDefined v1 by `platform-contracts types`; do not edit.

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

/** A role's permissions were set; carries the whole definition. Services check permissions locally from these. */
export interface RoleDefined {
  /** Tenant: the organization (account) the event belongs to; null for a platform-wide role every organization has. */
  account_id: null | string;
  /** Role name, e.g. "admin", "member", "billing_manager". */
  role: string;
  /** Permissions written resource.action, with resource.* and * wildcards. */
  permissions: Array<string>;
  /** What the role is for. */
  description: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
