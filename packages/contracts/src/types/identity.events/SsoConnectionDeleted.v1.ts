// Generated from identity.events-platform.identity.SsoConnectionDeleted v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An SSO connection was deleted. */
export interface SsoConnectionDeleted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The connection's id. */
  connection_id: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
