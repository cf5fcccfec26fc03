// Generated from identity.events-platform.identity.ScimTokenRevoked v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A SCIM bearer token was revoked. */
export interface ScimTokenRevoked {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The token's id. */
  token_id: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
