// Generated from identity.events-platform.identity.DirectoryGroupCreated v1 by `platform-contracts types`; do not edit.

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

/** The organization's directory (SCIM) created a group; tenancy turns it into a team. */
export interface DirectoryGroupCreated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The group's id (its SCIM id). */
  directory_group_id: string;
  /** The group's name in the directory. */
  display_name: string;
  /** The directory's own id for the group. */
  external_id: null | string;
  /** Every member after the change (person ids). */
  member_user_ids: Array<string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
