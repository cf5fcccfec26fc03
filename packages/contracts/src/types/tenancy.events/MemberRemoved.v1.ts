// Generated from tenancy.events-platform.tenancy.MemberRemoved v1 by `platform-contracts types`; do not edit.

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

/** A member left or was removed. */
export interface MemberRemoved {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person. */
  user_id: string;
  /** The group: the account id for organization membership. */
  group_id: string;
  /** "account", "workspace", "project" or "team". */
  group_type: string;
  /** Role they held. */
  role: string;
  /** "removed", "left", "deprovisioned" (directory) or "group_archived". */
  reason: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
