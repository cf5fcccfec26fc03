// Generated from identity.events-platform.identity.SigningKeyPublished v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A public key that verifies access tokens; services verify tokens locally with it. */
export interface SigningKeyPublished {
  /** JWT kid. */
  key_id: string;
  /** JWS algorithm, e.g. "EdDSA" or "ES256". */
  algorithm: string;
  /** The public key as a JSON Web Key (JSON text). */
  public_key_jwk: string;
  /** Tokens signed with this key are issued from this time. */
  not_before: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
