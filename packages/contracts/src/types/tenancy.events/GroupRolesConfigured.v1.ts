// Generated from tenancy.events-platform.tenancy.GroupRolesConfigured v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A group's allowed roles or default role changed. */
export interface GroupRolesConfigured {
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
  /** Roles members of this group may hold; empty means any organization role. */
  allowed_roles: Array<string>;
  /** Role given to new members when none is named. */
  default_role: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
