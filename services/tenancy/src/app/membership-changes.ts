import type { Principal, RoleCatalog } from "@platform/auth";
import { inTenant } from "@platform/database";
import { ConflictError, InvalidInputError, NotFoundError } from "@platform/errors";
import type { Clock } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import type { Actor } from "../domain/events";
import { acceptsWrites } from "../domain/lifecycle";
import {
  assertMayGiveRole,
  assertMayManageHolderOf,
  type ProvisioningSource,
  refusalToAdd,
} from "../domain/membership";
import type { Group, Membership } from "../generated/prisma/client";
import type { GroupService } from "./groups";
import type { Memberships } from "./memberships";
import { type Db, lockOrganization, type Tx } from "./tenant";

export const roleName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,49}$/, "a role name (lower-case letters, digits, _)");
const addMemberBody = z.object({ user_id: z.string().min(1).max(100), role: roleName.optional() });
const changeRoleBody = z.object({ role: roleName });

export function membershipJson(m: Membership) {
  return {
    user_id: m.userId,
    group_id: m.groupId,
    role: m.role,
    source: m.source,
    created_at: m.createdAt.toISOString(),
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

/**
 * Who is a member of the organization and of its groups, changed by administrators and by the
 * organization's identity provider. Rules over one membership are its aggregate's (expected version);
 * the account-level ones that read several memberships (is the person an organization member, is
 * another owner left) hold the organization lock.
 */
export class MembershipService {
  constructor(
    private readonly db: Db,
    private readonly memberships: Memberships,
    private readonly groups: GroupService,
    private readonly roles: RoleCatalog,
    private readonly clock: Clock,
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
      // Reads the person's organization membership beside the group's: a removal from the
      // organization must not pass an add to one of its groups.
      await this.lock(tx, accountId);
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
      return this.memberships.add(tx, accountId, groupId, group.type, input.user_id, role, "admin", actor);
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
    return this.memberships.add(
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
      if (groupId === accountId) {
        // An owner's demotion reads the other owners (an organization keeps one): the lock makes two
        // owners demoting each other take turns. A group's role is its own membership's alone.
        await this.lock(tx, accountId);
        const membership = await this.requireMembership(tx, accountId, groupId, userId);
        if (membership.role === role) return membership;
        assertMayManageHolderOf(grantor, this.roles, accountId, membership.role);
        assertMayGiveRole(grantor, this.roles, accountId, role);
        if (membership.role === "owner") await this.ensureAnotherOwner(tx, accountId, userId);
        return this.memberships.changeRole(tx, membership, "account", role, actor);
      }
      // A plain read: a concurrent change of the same membership is refused by the store.
      const membership = await this.requireMembership(tx, accountId, groupId, userId);
      if (membership.role === role) return membership;
      const group = await this.groups.require(tx, accountId, groupId);
      assertRoleAllowed(group, role);
      return this.memberships.changeRole(tx, membership, group.type, role, actor);
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
      const now = this.clock.now();
      if (groupId === accountId) {
        // The last-owner rule reads the other owners: under the organization lock.
        await this.lock(tx, accountId);
        const membership = await this.requireMembership(tx, accountId, groupId, userId);
        assertMayManageHolderOf(grantor, this.roles, accountId, membership.role);
        if (membership.role === "owner") await this.ensureAnotherOwner(tx, accountId, userId);
        await this.removeFromOrganization(tx, membership, "removed", actor, now);
        return;
      }
      const membership = await this.requireMembership(tx, accountId, groupId, userId);
      const group = await this.groups.require(tx, accountId, groupId);
      await this.memberships.remove(tx, membership, group.type, "removed", actor, now);
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
    for (const m of inGroups) {
      const group = await this.groups.require(tx, accountId, m.groupId);
      await this.memberships.remove(tx, m, group.type, reason, actor, now);
    }
    await this.memberships.remove(tx, membership, "account", reason, actor, now);
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

  /** Takes the organization lock like every seat and ownership decision; whether it exists and is open. */
  private async isOpen(tx: Tx, accountId: string): Promise<boolean> {
    const status = await lockOrganization(tx, accountId);
    return status !== null && acceptsWrites(status);
  }

  private async lock(tx: Tx, accountId: string): Promise<void> {
    if ((await lockOrganization(tx, accountId)) === null)
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
}
