import { InvalidInputError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent } from "../domain/events";
import { decideAcceptance } from "../domain/invitations";
import { sha256 } from "../domain/secrets";
import { assertOpen } from "./closed-accounts";
import { appendEvents, type Clock, type RequestOrigin, type Tx } from "./context";

const invalidInvitation = () =>
  new InvalidInputError("invitation_invalid", "the invitation is invalid, expired, revoked or already used");

/**
 * Accepting an invitation tenancy sent. The link is `<invitation_id>.<secret>`; tenancy publishes only
 * the secret's hash and the invitee address's hash, so identity checks both without either secret or
 * address ever being in a topic. The invitation is for one address: a link forwarded to someone else
 * does not let them in.
 *
 * Nothing here writes the invitation: tenancy's row says what tenancy decided, invitation_acceptances
 * (the inline projection of UserJoined) what was accepted here, so a link works once even before
 * tenancy's InvitationAccepted comes back. Only its invitee can accept it, so two acceptances of one
 * link race on one person's aggregate, and the store refuses the second (409 concurrency_conflict).
 */
export class InvitationAcceptance {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** Checks the invitation and appends user.joined (which grants the role), in the caller's transaction. */
  async accept(
    tx: Tx,
    person: { userId: string; email: string },
    invitationToken: unknown,
    origin: RequestOrigin,
  ): Promise<{ accountId: string; role: string }> {
    if (typeof invitationToken !== "string" || invitationToken.length > 300) throw invalidInvitation();
    const [invitationId, secret] = invitationToken.split(".");
    if (!invitationId || !secret) throw invalidInvitation();
    const { version } = await tx.user.findUniqueOrThrow({
      where: { id: person.userId },
      select: { version: true },
    });
    const invitation = await tx.invitation.findUnique({ where: { id: invitationId } });
    const accepted = await tx.invitationAcceptance.findUnique({ where: { invitationId } });
    const refusal = decideAcceptance(
      invitation,
      accepted !== null,
      { secretHash: sha256(secret), emailHash: sha256(person.email) },
      this.clock.now(),
    );
    if (refusal === "invitation_email_mismatch")
      throw new InvalidInputError(
        "invitation_email_mismatch",
        "this invitation was sent to another e-mail address",
      );
    if (refusal || !invitation) throw invalidInvitation();
    // Checked after the link itself, so only its holder learns that the organization closed.
    await assertOpen(tx, invitation.accountId);

    // The access is the projection of UserJoined (src/projections/access.ts).
    await appendEvents(
      this.store,
      tx,
      { type: "user", id: person.userId, tenantId: invitation.accountId },
      [
        {
          type: IdentityEvent.UserJoined,
          data: {
            account_id: invitation.accountId,
            user_id: person.userId,
            email: person.email,
            invitation_id: invitationId,
            role: invitation.role,
            group_id: invitation.groupId,
            occurred_at: this.clock.now().getTime(),
            actor: { ...origin.actor, type: "user", id: person.userId },
          },
        },
      ],
      origin.actor,
      version,
    );
    return { accountId: invitation.accountId, role: invitation.role };
  }
}
