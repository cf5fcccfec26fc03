// Generated from identity.events-platform.identity.ScimTokenIssued v2 by `platform-contracts types`; do not edit.

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
  /** The person who minted it: its rights are never more than this person holds in the organization now; null for credentials from before this field. */
  creator_user_id: null | string;
  /** The API key whose token minted it, if any: revoking that key revokes this credential too. */
  parent_key_id: null | string;
  /** The session whose token minted it, if any: a session ended because its refresh token leaked revokes it. */
  session_id: null | string;
}
