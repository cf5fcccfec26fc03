// Generated from tenancy.events-platform.tenancy.GroupRenamed v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A group was renamed. */
export interface GroupRenamed {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The group's id. */
  group_id: string;
  /** "workspace", "project" or "team" (the account itself is the group with group_id = account_id). */
  group_type: string;
  /** The enclosing group: the account id for a top-level group. */
  parent_group_id: string;
  /** Every enclosing group from the account down to the parent, so readers roll events up without walking the tree. */
  ancestor_group_ids: Array<string>;
  /** Name before. */
  previous_name: string;
  /** Name after. */
  name: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
