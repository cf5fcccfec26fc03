// Generated from tenancy.events-platform.tenancy.InvitationSent v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A person was invited by e-mail (seed 000 user.invited). */
export interface InvitationSent {
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
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
  /** SHA-256 (hex) of the secret half of the invitation link ("<invitation_id>.<secret>"), so identity can check the link without the secret ever being published. Null for invitations sent before v2, which can only be accepted by signing in with the invited address. Added in v2. */
  token_sha256: null | string;
}
