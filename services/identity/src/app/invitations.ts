import { timingSafeEqual } from "node:crypto";
import { InvalidInputError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent } from "../domain/events";
import { sha256 } from "../domain/secrets";
import { assertOpen } from "./closed-accounts";
import { appendEvents, type Clock, type RequestOrigin, type Tx } from "./context";

const invalidInvitation = () =>
  new InvalidInputError("invitation_invalid", "the invitation is invalid, expired, revoked or already used");

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Accepting an invitation tenancy sent. The link is `<invitation_id>.<secret>`; tenancy publishes only
 * the secret's hash and the invitee address's hash, so identity checks both without either secret or
 * address ever being in a topic. The invitation is for one address: a link forwarded to someone else
 * does not let them in.
 */
export class InvitationAcceptance {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** Locks the invitation, checks it, grants the role and appends user.joined, all in the caller's transaction. */
  async accept(
    tx: Tx,
    person: { userId: string; email: string },
    invitationToken: unknown,
    origin: RequestOrigin,
  ): Promise<{ accountId: string; role: string }> {
    if (typeof invitationToken !== "string" || invitationToken.length > 300) throw invalidInvitation();
    const [invitationId, secret] = invitationToken.split(".");
    if (!invitationId || !secret) throw invalidInvitation();
    const [locked] = await tx.$queryRawUnsafe<{ id: string }[]>(
      "SELECT id FROM invitations WHERE id = $1 FOR UPDATE",
      invitationId,
    );
    if (!locked) throw invalidInvitation();
    const invitation = await tx.invitation.findUniqueOrThrow({ where: { id: invitationId } });
    if (
      invitation.status !== "pending" ||
      invitation.expiresAt <= this.clock.now() ||
      !invitation.tokenHash ||
      !sameHash(invitation.tokenHash, sha256(secret))
    )
      throw invalidInvitation();
    if (!sameHash(invitation.inviteeEmailHash, sha256(person.email)))
      throw new InvalidInputError(
        "invitation_email_mismatch",
        "this invitation was sent to another e-mail address",
      );
    // Checked after the link itself, so only its holder learns that the organization closed.
    await assertOpen(tx, invitation.accountId);

    await tx.invitation.update({
      where: { id: invitationId },
      data: { status: "accepted", acceptedBy: person.userId },
    });
    await tx.accountAccess.upsert({
      where: { userId_accountId: { userId: person.userId, accountId: invitation.accountId } },
      create: {
        userId: person.userId,
        accountId: invitation.accountId,
        role: invitation.role,
        source: "invitation",
      },
      update: { role: invitation.role, active: true, revision: { increment: 1 } },
    });
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
    );
    return { accountId: invitation.accountId, role: invitation.role };
  }
}
