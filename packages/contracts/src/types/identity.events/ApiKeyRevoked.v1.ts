// Generated from identity.events-platform.identity.ApiKeyRevoked v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An API key was revoked and stops working at once. */
export interface ApiKeyRevoked {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The key's id. */
  api_key_id: string;
  /** Label of the key. */
  name: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
