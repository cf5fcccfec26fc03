// Generated from tenancy.events-platform.tenancy.MemberRemoved v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

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
