import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Principal, RoleCatalog } from "@platform/auth";
import { inTenant } from "@platform/database";
import { ConflictError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import type { Actor } from "../domain/events";
import { decide, type InvitationEvent } from "../domain/invitations";
import { assertMayGiveRole } from "../domain/membership";
import type { Invitation } from "../generated/prisma/client";
import type { GroupService } from "./groups";
import { roleName } from "./membership-changes";
import type { Memberships } from "./memberships";
import type { Seats } from "./seats";
import { type Db, lockOrganization, record, type Tx } from "./tenant";

const inviteBody = z.object({
  email: z.email().max(254),
  role: roleName,
  group_id: z.string().min(1).max(100).optional(),
});

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** An invitation with its invitee's address, read from the secret store beside the projected row. */
export type AddressedInvitation = Invitation & { email: string };

export function invitationJson(i: AddressedInvitation) {
  return {
    invitation_id: i.id,
    email: i.email,
    role: i.role,
    group_id: i.groupId,
    status: i.status,
    expires_at: i.expiresAt.toISOString(),
    send_count: i.sendCount,
  };
}

export interface InvitationSettings {
  invitationTtlDays: number;
  publicUrl: string;
}

/** What an invitation link opens: the invitation, and how to accept it at identity. */
export interface OpenedInvitation {
  invitation: AddressedInvitation;
  organizationName: string;
  hasAccount: boolean;
  token: string;
}

export function openedInvitationJson(opened: OpenedInvitation, identityUrl: string) {
  const { invitation, hasAccount, token } = opened;
  return {
    invitation_id: invitation.id,
    organization: { account_id: invitation.accountId, name: opened.organizationName },
    email: invitation.email,
    role: invitation.role,
    expires_at: invitation.expiresAt.toISOString(),
    has_account: hasAccount,
    accept: {
      method: "POST",
      url: `${identityUrl}${hasAccount ? "/v1/sessions" : "/v1/users"}`,
      body: { email: invitation.email, password: "<password>", invitation_token: token },
    },
  };
}

/**
 * Invitations by e-mail: sent (a seat counts members plus pending invitations), resent with a new
 * link, revoked, opened by the link's holder, and accepted through identity (user.joined). A command
 * reads the invitation (no lock but the seat rule's), decides (src/domain/invitations.ts) and appends
 * at its version; the inline handlers write `invitations`. The invitee's address, which events carry
 * only hashed, is kept in `invitation_addresses` (the declared secret store, src/tables.ts).
 */
export class InvitationService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly memberships: Memberships,
    private readonly seats: Seats,
    private readonly groups: GroupService,
    private readonly roles: RoleCatalog,
    private readonly clock: Clock,
    private readonly settings: InvitationSettings,
  ) {}

  async invite(
    accountId: string,
    body: unknown,
    grantor: Principal,
    actor: Actor,
  ): Promise<AddressedInvitation> {
    const input = parseBody(inviteBody, body);
    assertMayGiveRole(grantor, this.roles, accountId, input.role);
    const email = input.email.trim().toLowerCase();
    return inTenant(this.db, accountId, async (tx) => {
      // The seat count reads every membership and pending invitation: under the organization lock.
      if ((await lockOrganization(tx, accountId)) === null)
        throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
      if (input.group_id) await this.groups.require(tx, accountId, input.group_id, { active: true });
      const person = await tx.person.findUnique({ where: { email } });
      if (
        person &&
        (await tx.membership.findUnique({
          where: { groupId_userId: { groupId: accountId, userId: person.userId } },
        }))
      )
        throw new ConflictError("member_exists", `${email} is already a member`);
      const now = this.clock.now();
      const sentTo = await tx.invitationAddress.findMany({ where: { accountId, email } });
      if (
        await tx.invitation.findFirst({
          where: {
            accountId,
            id: { in: sentTo.map((address) => address.invitationId) },
            status: "pending",
            expiresAt: { gt: now },
          },
        })
      )
        throw new ConflictError(
          "invitation_exists",
          `${email} already has a pending invitation; resend it instead`,
        );
      await this.seats.ensureSeat(tx, accountId);
      const id = `inv_${randomBytes(10).toString("hex")}`;
      const secret = randomBytes(32).toString("base64url");
      await tx.invitationAddress.create({ data: { invitationId: id, accountId, email } });
      const events = decide(null, {
        kind: "send",
        id,
        emailHash: sha256(email),
        role: input.role,
        groupId: input.group_id ?? null,
        expiresAt: this.expiry(now),
        tokenHash: sha256(secret),
      });
      await this.append(tx, accountId, id, 0, events, actor, now);
      const invitation = await this.require(tx, accountId, id);
      await this.queueEmail(tx, invitation, secret);
      return invitation;
    });
  }

  /** A new link with a new expiry: the old secret is not kept, so the old link stops working. */
  async resend(accountId: string, invitationId: string, actor: Actor): Promise<AddressedInvitation> {
    return inTenant(this.db, accountId, async (tx) => {
      const invitation = await this.require(tx, accountId, invitationId);
      const now = this.clock.now();
      const secret = randomBytes(32).toString("base64url");
      const events = decide(invitation, {
        kind: "resend",
        emailHash: sha256(invitation.email),
        expiresAt: this.expiry(now),
        tokenHash: sha256(secret),
      });
      await this.append(tx, accountId, invitationId, invitation.version, events, actor, now);
      const resent = await this.require(tx, accountId, invitationId);
      await this.queueEmail(tx, resent, secret);
      return resent;
    });
  }

  async revoke(accountId: string, invitationId: string, actor: Actor): Promise<AddressedInvitation> {
    return inTenant(this.db, accountId, async (tx) => {
      const invitation = await this.require(tx, accountId, invitationId);
      const events = decide(invitation, { kind: "revoke", emailHash: sha256(invitation.email) });
      await this.append(tx, accountId, invitationId, invitation.version, events, actor, this.clock.now());
      return this.require(tx, accountId, invitationId);
    });
  }

  /**
   * The invitation a link names, for its holder: only with the link's secret, only while pending and
   * unexpired in an open organization. Every other case is the same 404, so the route tells nothing
   * about ids it is not given the secret of.
   */
  async open(accountIdInput: unknown, tokenInput: unknown): Promise<OpenedInvitation> {
    const invalid = new NotFoundError(
      "invitation_link_invalid",
      "this invitation link is invalid, used, revoked or expired",
    );
    if (typeof accountIdInput !== "string" || typeof tokenInput !== "string") throw invalid;
    const [id, secret, ...rest] = tokenInput.split(".");
    if (!id || !secret || rest.length > 0 || accountIdInput.length > 100 || tokenInput.length > 200)
      throw invalid;
    return inTenant(this.db, accountIdInput, async (tx) => {
      const invitation = await this.find(tx, accountIdInput, id);
      const expected = invitation?.tokenHash ? Buffer.from(invitation.tokenHash) : null;
      const given = Buffer.from(sha256(secret));
      if (
        !invitation ||
        !expected ||
        expected.length !== given.length ||
        !timingSafeEqual(expected, given) ||
        invitation.status !== "pending" ||
        invitation.expiresAt <= this.clock.now()
      )
        throw invalid;
      const organization = await tx.organization.findUnique({ where: { accountId: accountIdInput } });
      if (!organization || organization.status === "closed") throw invalid;
      const person = await tx.person.findUnique({ where: { email: invitation.email } });
      return {
        invitation,
        organizationName: organization.name,
        hasAccount: person !== null,
        token: tokenInput,
      };
    });
  }

  async listInvitations(accountId: string): Promise<AddressedInvitation[]> {
    return inTenant(this.db, accountId, async (tx) => {
      const invitations = await tx.invitation.findMany({
        where: { accountId },
        orderBy: { createdAt: "asc" },
      });
      const addresses = new Map(
        (await tx.invitationAddress.findMany({ where: { accountId } })).map((a) => [a.invitationId, a.email]),
      );
      return invitations.map((i) => ({ ...i, email: addresses.get(i.id) ?? "" }));
    });
  }

  /** identity's user.joined: the invitee signed up or in with the link; they become a member. */
  async accepted(
    tx: Tx,
    event: { account_id: string; user_id: string; invitation_id: string; role: string },
    actor: Actor,
  ): Promise<void> {
    const invitation = await this.find(tx, event.account_id, event.invitation_id);
    if (!invitation) return;
    const events = decide(invitation, {
      kind: "accept",
      emailHash: sha256(invitation.email),
      userId: event.user_id,
    });
    if (events.length === 0) return;
    const now = this.clock.now();
    const member = await tx.membership.findUnique({
      where: { groupId_userId: { groupId: event.account_id, userId: event.user_id } },
    });
    if (!member)
      await this.memberships.add(
        tx,
        event.account_id,
        event.account_id,
        "account",
        event.user_id,
        invitation.role,
        "invitation",
        actor,
      );
    if (invitation.groupId) {
      const group = await tx.group.findFirst({ where: { id: invitation.groupId, archivedAt: null } });
      const inGroup = await tx.membership.findUnique({
        where: { groupId_userId: { groupId: invitation.groupId, userId: event.user_id } },
      });
      if (group && !inGroup)
        await this.memberships.add(
          tx,
          event.account_id,
          group.id,
          group.type,
          event.user_id,
          group.defaultRole ?? "member",
          "invitation",
          actor,
        );
    }
    await this.append(tx, event.account_id, invitation.id, invitation.version, events, actor, now);
  }

  /** The invitation with its invitee's address, or null. */
  private async find(tx: Tx, accountId: string, id: string): Promise<AddressedInvitation | null> {
    const invitation = await tx.invitation.findFirst({ where: { id, accountId } });
    if (!invitation) return null;
    const address = await tx.invitationAddress.findUnique({ where: { invitationId: id } });
    return { ...invitation, email: address?.email ?? "" };
  }

  private async require(tx: Tx, accountId: string, id: string): Promise<AddressedInvitation> {
    const invitation = await this.find(tx, accountId, id);
    if (!invitation) throw new NotFoundError("invitation_not_found", `invitation ${id} does not exist`);
    return invitation;
  }

  private append(
    tx: Tx,
    accountId: string,
    invitationId: string,
    expectedVersion: number,
    events: InvitationEvent[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    return record(
      this.store,
      tx,
      { type: "invitation", id: invitationId, accountId },
      events,
      actor,
      now,
      expectedVersion,
    );
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.settings.invitationTtlDays * 86_400_000);
  }

  private async queueEmail(tx: Tx, invitation: AddressedInvitation, secret: string): Promise<void> {
    await tx.outboundEmail.create({
      data: {
        id: randomBytes(12).toString("hex"),
        recipient: invitation.email,
        template: "invitation",
        variables: {
          link: `${this.settings.publicUrl}/v1/invitations/open?${new URLSearchParams({
            account_id: invitation.accountId,
            token: `${invitation.id}.${secret}`,
          })}`,
          role: invitation.role,
          expires_at: invitation.expiresAt.toISOString(),
        },
      },
    });
  }
}
