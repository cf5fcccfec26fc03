import { timingSafeEqual } from "node:crypto";

/** An invitation as tenancy published it (the `invitations` read model), with only hashes of its secrets. */
export interface PublishedInvitation {
  /** pending, revoked or accepted, as tenancy last said. */
  status: string;
  expiresAt: Date;
  /** SHA-256 of the link's secret half; null for invitations from before InvitationSent v2. */
  tokenHash: string | null;
  inviteeEmailHash: string;
}

/** Why a link does not let this person in; null when it does. */
export type AcceptanceRefusal = "invitation_invalid" | "invitation_email_mismatch" | null;

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Whether a person may accept an invitation: tenancy's state of it (pending, not expired), whether it
 * was accepted here already (UserJoined; tenancy's echo comes later), the link's secret, and the
 * address it was sent to. The link is checked before the address, so only its holder learns more.
 */
export function decideAcceptance(
  invitation: PublishedInvitation | null,
  acceptedHere: boolean,
  presented: { secretHash: string; emailHash: string },
  now: Date,
): AcceptanceRefusal {
  if (
    !invitation ||
    acceptedHere ||
    invitation.status !== "pending" ||
    invitation.expiresAt <= now ||
    !invitation.tokenHash ||
    !sameHash(invitation.tokenHash, presented.secretHash)
  )
    return "invitation_invalid";
  if (!sameHash(invitation.inviteeEmailHash, presented.emailHash)) return "invitation_email_mismatch";
  return null;
}
