// Generated from identity.events-platform.identity.DirectoryGroupCreated v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

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
