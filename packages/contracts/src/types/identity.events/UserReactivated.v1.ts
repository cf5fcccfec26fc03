// Generated from identity.events-platform.identity.UserReactivated v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A deactivated person regained access to the organization. */
export interface UserReactivated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** "scim" (directory) or "admin" (an administrator). */
  source: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
