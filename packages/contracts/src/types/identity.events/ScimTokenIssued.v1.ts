// Generated from identity.events-platform.identity.ScimTokenIssued v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A SCIM bearer token was issued for the organization's directory; the token is never published. */
export interface ScimTokenIssued {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The token's id. */
  token_id: string;
  /** Non-secret first characters of the token. */
  prefix: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
