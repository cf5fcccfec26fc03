// Generated from identity.events-platform.identity.DirectoryGroupUpdated v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A directory group's name or members changed; carries the whole group after the change. */
export interface DirectoryGroupUpdated {
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
