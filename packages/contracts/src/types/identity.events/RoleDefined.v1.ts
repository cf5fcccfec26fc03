// Generated from identity.events-platform.identity.RoleDefined v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A role's permissions were set; carries the whole definition. Services check permissions locally from these. */
export interface RoleDefined {
  /** Tenant: the organization (account) the event belongs to; null for a platform-wide role every organization has. */
  account_id: null | string;
  /** Role name, e.g. "admin", "member", "billing_manager". */
  role: string;
  /** Permissions written resource.action, with resource.* and * wildcards. */
  permissions: Array<string>;
  /** What the role is for. */
  description: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
