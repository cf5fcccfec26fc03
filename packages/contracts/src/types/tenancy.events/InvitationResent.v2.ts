// Generated from tenancy.events-platform.tenancy.InvitationResent v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An invitation was sent again with a new expiry. */
export interface InvitationResent {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invitation's id; identity's user.joined names it. */
  invitation_id: string;
  /** SHA-256 (hex) of the lower-cased invitee address (seed 000: no raw address in events). */
  invitee_email_hash: string;
  /** Role the invitation grants. */
  invitee_role: string;
  /** Group the invitation is for; null for the organization itself. */
  group_id: null | string;
  /** When the invitation stops working. */
  expires_at: number;
  /** How many times it has been sent. */
  send_count: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
  /** SHA-256 (hex) of the secret half of the new invitation link: a resend issues a new link, since the old secret is not kept. Null for resends before v2. Added in v2. */
  token_sha256: null | string;
}
