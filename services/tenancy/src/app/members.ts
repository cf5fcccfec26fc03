import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Principal, RoleCatalog } from "@platform/auth";
import { inTenant } from "@platform/database";
import { ConflictError, InvalidInputError, NotFoundError, PlatformError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import { type Actor, TenancyEvent } from "../domain/events";
import {
  assertMayGiveRole,
  assertMayManageHolderOf,
  hasFreeSeat,
  type ProvisioningSource,
  refusalToAdd,
} from "../domain/membership";
import type { Group, Invitation, Membership } from "../generated/prisma/client";
import type { GroupService } from "./groups";
import { type Db, record, type Tx } from "./tenant";

const roleName = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, "a role name (lower-case letters, digits, _)");
const addMemberBody = z.object({ user_id: z.string().min(1).max(100), role: roleName.optional() });
const changeRoleBody = z.object({ role: roleName });
const inviteBody = z.object({
  email: z.email().max(254),
  role: roleName,
  group_id: z.string().min(1).max(100).optional(),
});

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

export function membershipJson(m: Membership) {
  return {
    user_id: m.userId,
    group_id: m.groupId,
    role: m.role,
    source: m.source,
    created_at: m.createdAt.toISOString(),
  };
}

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

/** A team may restrict the roles its members hold (allowedRoles; empty = any role). */
function assertRoleAllowed(group: Group, role: string): void {
  if (group.allowedRoles.length > 0 && !group.allowedRoles.includes(role))
    throw new InvalidInputError(
      "role_not_allowed",
      `this ${group.type} allows the roles ${group.allowedRoles.join(", ")}`,
      {
        details: { field: "role", allowed: group.allowedRoles },
      },
    );
}

export interface MemberSettings {
  seatLimitWithoutPlan: number;
  invitationTtlDays: number;
  publicUrl: string;
  identityUrl: string;
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
 * Memberships of the organization and of its groups, and invitations by e-mail. Seats are checked on
 * invite (members plus pending invitations) and on direct add, against the plan's user limit.
 */
export class MemberService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly groups: GroupService,
    private readonly roles: RoleCatalog,
    private readonly clock: Clock,
    private readonly settings: MemberSettings,
  ) {}

  async list(accountId: string, groupId: string): Promise<Membership[]> {
    return inTenant(this.db, accountId, async (tx) => {
      if (groupId !== accountId) await this.groups.require(tx, accountId, groupId);
      return tx.membership.findMany({ where: { accountId, groupId }, orderBy: { createdAt: "asc" } });
    });
  }

  /**
   * Adds an existing member of the organization to one of its groups. At the account level this
   * always refuses: people join by invitation, auto-join or their organization's identity provider
   * (docs/tenancy.md, "Who can join").
   */
  async add(accountId: string, groupId: string, body: unknown, actor: Actor): Promise<Membership> {
    const input = parseBody(addMemberBody, body);
    return inTenant(this.db, accountId, async (tx) => {
      await this.lockOrganization(tx, accountId);
      const groupIsAccount = groupId === accountId;
      const group = groupIsAccount
        ? null
        : await this.groups.require(tx, accountId, groupId, { active: true });
      const refusal = refusalToAdd({
        groupIsAccount,
        isOrganizationMember: await this.isOrganizationMember(tx, accountId, input.user_id),
      });
      if (refusal === "member_exists")
        throw new ConflictError("member_exists", `${input.user_id} is already a member`);
      if (refusal === "not_an_organization_member" || !group)
        throw new NotFoundError(
          "not_an_organization_member",
          `${input.user_id} is not a member of this organization; invite them to join it`,
          { details: { field: "user_id" } },
        );
      const role = input.role ?? group.defaultRole ?? "member";
      assertRoleAllowed(group, role);
      return this.addWithin(tx, accountId, groupId, group.type, input.user_id, role, "admin", actor);
    });
  }

  /**
   * identity's user.provisioned: the organization's own identity provider (SCIM, SAML or OIDC) gave
   * the person access, so they become a member. identity checked the seat under its own lock before
   * granting access, so tenancy records the membership rather than second-guessing it (refusing
   * here would leave the person signed in to an organization that does not list them).
   */
  async provisioned(
    tx: Tx,
    event: { account_id: string; user_id: string; role: string; source: ProvisioningSource },
    actor: Actor,
  ): Promise<Membership | null> {
    if (!(await this.isOpen(tx, event.account_id))) return null;
    if (await this.isOrganizationMember(tx, event.account_id, event.user_id)) return null;
    return this.addWithin(
      tx,
      event.account_id,
      event.account_id,
      "account",
      event.user_id,
      event.role,
      event.source,
      actor,
    );
  }

  /**
   * identity's user.removed: the directory took the person's access away, so their seat and their
   * group memberships go too. The last owner stays (an organization needs one); an administrator
   * hands ownership over first.
   */
  async deprovisioned(tx: Tx, event: { account_id: string; user_id: string }, actor: Actor): Promise<void> {
    if (!(await this.isOpen(tx, event.account_id))) return;
    const membership = await tx.membership.findUnique({
      where: { groupId_userId: { groupId: event.account_id, userId: event.user_id } },
    });
    if (!membership) return;
    if (membership.role === "owner" && !(await this.hasAnotherOwner(tx, event.account_id, event.user_id)))
      return;
    await this.removeFromOrganization(tx, membership, "deprovisioned", actor, this.clock.now());
  }

  async changeRole(
    accountId: string,
    groupId: string,
    userId: string,
    body: unknown,
    grantor: Principal,
    actor: Actor,
  ): Promise<Membership> {
    const { role } = parseBody(changeRoleBody, body);
    return inTenant(this.db, accountId, async (tx) => {
      await this.lockOrganization(tx, accountId);
      const membership = await this.requireMembership(tx, accountId, groupId, userId);
      if (membership.role === role) return membership;
      const group = groupId === accountId ? null : await this.groups.require(tx, accountId, groupId);
      const groupType = group?.type ?? "account";
      if (!group) {
        assertMayManageHolderOf(grantor, this.roles, accountId, membership.role);
        assertMayGiveRole(grantor, this.roles, accountId, role);
      }
      if (group) assertRoleAllowed(group, role);
      if (membership.role === "owner" && groupType === "account")
        await this.ensureAnotherOwner(tx, accountId, userId);
      const updated = await tx.membership.update({
        where: { groupId_userId: { groupId, userId } },
        data: { role },
      });
      await record(
        this.store,
        tx,
        { type: "membership", id: `${groupId}:${userId}`, accountId },
        [
          {
            type: TenancyEvent.MemberRoleChanged,
            data: {
              user_id: userId,
              group_id: groupId,
              group_type: groupType,
              previous_role: membership.role,
              role,
            },
          },
        ],
        actor,
        this.clock.now(),
      );
      return updated;
    });
  }

  /** Removing someone from the organization also removes them from its groups. */
  async remove(
    accountId: string,
    groupId: string,
    userId: string,
    grantor: Principal,
    actor: Actor,
  ): Promise<void> {
    await inTenant(this.db, accountId, async (tx) => {
      await this.lockOrganization(tx, accountId);
      const membership = await this.requireMembership(tx, accountId, groupId, userId);
      const now = this.clock.now();
      if (groupId === accountId) {
        assertMayManageHolderOf(grantor, this.roles, accountId, membership.role);
        if (membership.role === "owner") await this.ensureAnotherOwner(tx, accountId, userId);
        await this.removeFromOrganization(tx, membership, "removed", actor, now);
        return;
      }
      await this.removeWithin(
        tx,
        accountId,
        membership,
        (await this.groups.require(tx, accountId, groupId)).type,
        "removed",
        actor,
        now,
      );
    });
  }

  private async removeFromOrganization(
    tx: Tx,
    membership: Membership,
    reason: string,
    actor: Actor,
    now: Date,
  ): Promise<void> {
    const { accountId, userId } = membership;
    const inGroups = await tx.membership.findMany({
      where: { accountId, userId, groupId: { not: accountId } },
    });
    for (const m of inGroups)
      await this.removeWithin(
        tx,
        accountId,
        m,
        (await this.groups.require(tx, accountId, m.groupId)).type,
        reason,
        actor,
        now,
      );
    await this.removeWithin(tx, accountId, membership, "account", reason, actor, now);
  }

  async invite(accountId: string, body: unknown, grantor: Principal, actor: Actor): Promise<Invitation> {
    const input = parseBody(inviteBody, body);
    assertMayGiveRole(grantor, this.roles, accountId, input.role);
    const email = input.email.trim().toLowerCase();
    return inTenant(this.db, accountId, async (tx) => {
      await this.lockOrganization(tx, accountId);
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
      await this.ensureSeat(tx, accountId);
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
      await this.addWithin(
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
        await this.addWithin(
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

  async addWithin(
    tx: Tx,
    accountId: string,
    groupId: string,
    groupType: string,
    userId: string,
    role: string,
    source: string,
    actor: Actor,
  ): Promise<Membership> {
    if (await tx.membership.findUnique({ where: { groupId_userId: { groupId, userId } } }))
      throw new ConflictError("member_exists", `${userId} is already a member`);
    const membership = await tx.membership.create({ data: { accountId, groupId, userId, role, source } });
    await record(
      this.store,
      tx,
      { type: "membership", id: `${groupId}:${userId}`, accountId },
      [
        {
          type: TenancyEvent.MemberAdded,
          data: { user_id: userId, group_id: groupId, group_type: groupType, role, source },
        },
      ],
      actor,
      this.clock.now(),
    );
    return membership;
  }

  async removeWithin(
    tx: Tx,
    accountId: string,
    m: Membership,
    groupType: string,
    reason: string,
    actor: Actor,
    now: Date,
  ) {
    await tx.membership.delete({ where: { groupId_userId: { groupId: m.groupId, userId: m.userId } } });
    await record(
      this.store,
      tx,
      { type: "membership", id: `${m.groupId}:${m.userId}`, accountId },
      [
        {
          type: TenancyEvent.MemberRemoved,
          data: { user_id: m.userId, group_id: m.groupId, group_type: groupType, role: m.role, reason },
        },
      ],
      actor,
      now,
    );
  }

  private async seatUsage(tx: Tx, accountId: string) {
    const traits = await tx.accountTraits.findUnique({ where: { accountId } });
    const limit = traits?.seatLimit ?? this.settings.seatLimitWithoutPlan;
    const members = await tx.membership.count({ where: { accountId, groupId: accountId } });
    const pending = await tx.invitation.count({
      where: { accountId, status: "pending", expiresAt: { gt: this.clock.now() } },
    });
    return {
      limit,
      members,
      pending,
      plan: traits?.plan ?? null,
      free: hasFreeSeat({ limit, members, pending }),
    };
  }

  /** Whether one more person fits (auto-join asks; it skips rather than fails when full). */
  async hasSeat(tx: Tx, accountId: string): Promise<boolean> {
    return (await this.seatUsage(tx, accountId)).free;
  }

  private async ensureSeat(tx: Tx, accountId: string): Promise<void> {
    const { limit, members, pending, plan, free } = await this.seatUsage(tx, accountId);
    if (!free)
      throw new PlatformError(
        "limit_reached",
        "seat_limit_reached",
        `the plan allows ${limit} users; upgrade to add more`,
        {
          details: { limit, members, pendingInvitations: pending, plan },
        },
      );
  }

  private async ensureAnotherOwner(tx: Tx, accountId: string, userId: string): Promise<void> {
    if (!(await this.hasAnotherOwner(tx, accountId, userId)))
      throw new ConflictError("last_owner", "an organization needs at least one owner");
  }

  private async hasAnotherOwner(tx: Tx, accountId: string, userId: string): Promise<boolean> {
    const owners = await tx.membership.count({
      where: { accountId, groupId: accountId, role: "owner", userId: { not: userId } },
    });
    return owners > 0;
  }

  private async isOrganizationMember(tx: Tx, accountId: string, userId: string): Promise<boolean> {
    return (
      (await tx.membership.findUnique({ where: { groupId_userId: { groupId: accountId, userId } } })) !== null
    );
  }

  /** Locks the organization row like every seat decision, and says whether it exists and is not closed. */
  private async isOpen(tx: Tx, accountId: string): Promise<boolean> {
    const rows = await tx.$queryRawUnsafe<{ status: string }[]>(
      "SELECT status FROM organizations WHERE account_id = $1 FOR UPDATE",
      accountId,
    );
    return rows[0] !== undefined && rows[0].status !== "closed";
  }

  /** Serializes seat and ownership decisions per organization. */
  private async lockOrganization(tx: Tx, accountId: string): Promise<void> {
    const rows = await tx.$queryRawUnsafe<unknown[]>(
      "SELECT 1 FROM organizations WHERE account_id = $1 FOR UPDATE",
      accountId,
    );
    if (rows.length === 0)
      throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
  }

  private async requireMembership(
    tx: Tx,
    accountId: string,
    groupId: string,
    userId: string,
  ): Promise<Membership> {
    const m = await tx.membership.findFirst({ where: { accountId, groupId, userId } });
    if (!m) throw new NotFoundError("membership_not_found", `${userId} is not a member of ${groupId}`);
    return m;
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
