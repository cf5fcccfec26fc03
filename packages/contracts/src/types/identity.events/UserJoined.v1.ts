// Generated from identity.events-platform.identity.UserJoined v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A person accepted an invitation and joined its organization (seed 000 user.joined). */
export interface UserJoined {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The person's e-mail address, lower-cased. Internal domain log only: public streams carry a hash. */
  email: string;
  /** The accepted invitation (sent by tenancy). */
  invitation_id: string;
  /** Role the invitation grants. */
  role: string;
  /** Group (workspace, project or team) the invitation was for; null for the organization itself. */
  group_id: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
