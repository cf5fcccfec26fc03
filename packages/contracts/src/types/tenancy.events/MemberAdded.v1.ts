// Generated from tenancy.events-platform.tenancy.MemberAdded v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A person became a member of the organization or of a group, with a role. */
export interface MemberAdded {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person. */
  user_id: string;
  /** The group: the account id for organization membership. */
  group_id: string;
  /** "account", "workspace", "project" or "team". */
  group_type: string;
  /** The member's role. */
  role: string;
  /** "invitation", "admin", "scim", "sso", "auto_join" (verified domain) or "owner" (created the organization). */
  source: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
