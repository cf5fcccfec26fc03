// Generated from tenancy.events-platform.tenancy.MemberRoleChanged v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A member's role changed. */
export interface MemberRoleChanged {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person. */
  user_id: string;
  /** The group: the account id for organization membership. */
  group_id: string;
  /** "account", "workspace", "project" or "team". */
  group_type: string;
  /** Role before. */
  previous_role: string;
  /** Role after. */
  role: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
