// Generated from identity.events-platform.identity.DirectoryGroupDeleted v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A directory group was deleted. */
export interface DirectoryGroupDeleted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The group's id (its SCIM id). */
  directory_group_id: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
