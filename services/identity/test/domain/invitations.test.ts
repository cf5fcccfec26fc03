/** Accepting an invitation, pure: tenancy's state of it, an acceptance here, the link, the address. */
import { decideAcceptance, type PublishedInvitation } from "../../src/domain/invitations";
import { sha256 } from "../../src/domain/secrets";

const now = new Date("2026-11-30T10:00:00.000Z");
const invitation: PublishedInvitation = {
  status: "pending",
  expiresAt: new Date(now.getTime() + 60_000),
  tokenHash: sha256("secret"),
  inviteeEmailHash: sha256("ann@example.com"),
};
const presented = { secretHash: sha256("secret"), emailHash: sha256("ann@example.com") };

it.each<[string, PublishedInvitation | null, boolean, typeof presented, string | null]>([
  ["a pending invitation, its link, its address", invitation, false, presented, null],
  ["an invitation accepted here before tenancy's echo", invitation, true, presented, "invitation_invalid"],
  ["one tenancy revoked", { ...invitation, status: "revoked" }, false, presented, "invitation_invalid"],
  ["one tenancy saw accepted", { ...invitation, status: "accepted" }, false, presented, "invitation_invalid"],
  ["an expired one", { ...invitation, expiresAt: now }, false, presented, "invitation_invalid"],
  [
    "one from before links carried a secret",
    { ...invitation, tokenHash: null },
    false,
    presented,
    "invitation_invalid",
  ],
  ["a forged secret", invitation, false, { ...presented, secretHash: sha256("guess") }, "invitation_invalid"],
  ["an unknown invitation", null, false, presented, "invitation_invalid"],
  [
    "a link forwarded to another address",
    invitation,
    false,
    { ...presented, emailHash: sha256("bob@example.com") },
    "invitation_email_mismatch",
  ],
  // The link is checked first: someone without it learns nothing about whom it was for.
  [
    "a forged secret at another address",
    invitation,
    false,
    { secretHash: sha256("guess"), emailHash: sha256("bob@example.com") },
    "invitation_invalid",
  ],
])("%s", (_, published, acceptedHere, link, refusal) => {
  expect(decideAcceptance(published, acceptedHere, link, now)).toBe(refusal);
});
