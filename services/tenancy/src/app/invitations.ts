import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Principal, RoleCatalog } from "@platform/auth";
import { inTenant } from "@platform/database";
import { ConflictError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import { type Actor, TenancyEvent } from "../domain/events";
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

export function invitationJson(i: Invitation) {
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
  invitation: Invitation;
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
 * link, revoked, opened by the link's holder, and accepted through identity (user.joined). The
 * invitation row still holds the link's hash beside its state (SECRET_STORE in src/tables.ts).
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

  async invite(accountId: string, body: unknown, grantor: Principal, actor: Actor): Promise<Invitation> {
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
      if (
        await tx.invitation.findFirst({
          where: { accountId, email, status: "pending", expiresAt: { gt: now } },
        })
      )
        throw new ConflictError(
          "invitation_exists",
          `${email} already has a pending invitation; resend it instead`,
        );
      await this.seats.ensureSeat(tx, accountId);
      const id = `inv_${randomBytes(10).toString("hex")}`;
      const secret = randomBytes(32).toString("base64url");
      const invitation = await tx.invitation.create({
        data: {
          id,
          accountId,
          email,
          role: input.role,
          groupId: input.group_id ?? null,
          tokenHash: sha256(secret),
          expiresAt: this.expiry(now),
          status: "pending",
          invitedBy: actor.id ?? actor.type,
        },
      });
      await this.queueEmail(tx, invitation, secret);
      await record(
        this.store,
        tx,
        { type: "invitation", id, accountId },
        [
          {
            type: TenancyEvent.InvitationSent,
            data: { ...this.invitationPayload(invitation), token_sha256: invitation.tokenHash },
          },
        ],
        actor,
        now,
      );
      return invitation;
    });
  }

  /** A new link with a new expiry: the old secret is not kept, so the old link stops working. */
  async resend(accountId: string, invitationId: string, actor: Actor): Promise<Invitation> {
    return inTenant(this.db, accountId, async (tx) => {
      const invitation = await this.requireInvitation(tx, accountId, invitationId, { pending: true });
      const now = this.clock.now();
      const secret = randomBytes(32).toString("base64url");
      const resent = await tx.invitation.update({
        where: { id: invitationId },
        data: { tokenHash: sha256(secret), expiresAt: this.expiry(now), sendCount: invitation.sendCount + 1 },
      });
      await this.queueEmail(tx, resent, secret);
      await record(
        this.store,
        tx,
        { type: "invitation", id: invitationId, accountId },
        [
          {
            type: TenancyEvent.InvitationResent,
            data: {
              ...this.invitationPayload(resent),
              send_count: resent.sendCount,
              token_sha256: resent.tokenHash,
            },
          },
        ],
        actor,
        now,
      );
      return resent;
    });
  }

  async revoke(accountId: string, invitationId: string, actor: Actor): Promise<Invitation> {
    return inTenant(this.db, accountId, async (tx) => {
      await this.requireInvitation(tx, accountId, invitationId, { pending: true });
      const revoked = await tx.invitation.update({
        where: { id: invitationId },
        data: { status: "revoked" },
      });
      await record(
        this.store,
        tx,
        { type: "invitation", id: invitationId, accountId },
        [{ type: TenancyEvent.InvitationRevoked, data: this.invitationPayload(revoked) }],
        actor,
        this.clock.now(),
      );
      return revoked;
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
      const invitation = await tx.invitation.findFirst({ where: { id, accountId: accountIdInput } });
      if (
        !invitation ||
        !timingSafeEqual(Buffer.from(invitation.tokenHash), Buffer.from(sha256(secret))) ||
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

  async listInvitations(accountId: string): Promise<Invitation[]> {
    return inTenant(this.db, accountId, (tx) =>
      tx.invitation.findMany({ where: { accountId }, orderBy: { createdAt: "asc" } }),
    );
  }

  /** identity's user.joined: the invitee signed up or in with the link; they become a member. */
  async accepted(
    tx: Tx,
    event: { account_id: string; user_id: string; invitation_id: string; role: string },
    actor: Actor,
  ): Promise<void> {
    const invitation = await tx.invitation.findFirst({
      where: { id: event.invitation_id, accountId: event.account_id },
    });
    if (invitation?.status !== "pending") return;
    const now = this.clock.now();
    await tx.invitation.update({ where: { id: invitation.id }, data: { status: "accepted" } });
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
    await record(
      this.store,
      tx,
      { type: "invitation", id: invitation.id, accountId: event.account_id },
      [
        {
          type: TenancyEvent.InvitationAccepted,
          data: { ...this.invitationPayload(invitation), user_id: event.user_id },
        },
      ],
      actor,
      now,
    );
  }

  private async requireInvitation(
    tx: Tx,
    accountId: string,
    id: string,
    options: { pending?: boolean } = {},
  ) {
    const invitation = await tx.invitation.findFirst({ where: { id, accountId } });
    if (!invitation) throw new NotFoundError("invitation_not_found", `invitation ${id} does not exist`);
    if (options.pending && invitation.status !== "pending")
      throw new ConflictError("invitation_not_pending", `invitation ${id} is ${invitation.status}`);
    return invitation;
  }

  private invitationPayload(i: Invitation) {
    return {
      invitation_id: i.id,
      invitee_email_hash: sha256(i.email),
      invitee_role: i.role,
      group_id: i.groupId,
      expires_at: i.expiresAt.getTime(),
    };
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.settings.invitationTtlDays * 86_400_000);
  }

  private async queueEmail(tx: Tx, invitation: Invitation, secret: string): Promise<void> {
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
