// Generated from identity.events-platform.identity.ApiKeyCreated v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An organization API key was created. The secret is shown once to its creator and never published. */
export interface ApiKeyCreated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The key's id. */
  api_key_id: string;
  /** Label given by its creator. */
  name: string;
  /** Non-secret first characters of the key, to recognise it in lists. */
  prefix: string;
  /** Permissions the key carries, written resource.action (wildcards resource.* and *). */
  scopes: Array<string>;
  /** When the key stops working; null for never. */
  expires_at: null | number;
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
