import { randomBytes } from "node:crypto";
import { inTenant } from "@platform/database";
import { ConflictError, InvalidInputError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import { type Actor, TenancyEvent } from "../domain/events";
import type { Group } from "../generated/prisma/client";
import { type Db, record, type Tx } from "./tenant";

export const GROUP_TYPES = ["workspace", "project", "team"] as const;
const roleName = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/);

const createGroupBody = z.object({
  type: z.enum(GROUP_TYPES),
  name: z.string().trim().min(1).max(200),
  parent_group_id: z.string().min(1).max(100).optional(),
  allowed_roles: z.array(roleName).max(20).optional(),
  default_role: roleName.optional(),
});
const renameBody = z.object({ name: z.string().trim().min(1).max(200) });
const moveBody = z.object({ parent_group_id: z.string().min(1).max(100) });

export function groupJson(group: Group) {
  return {
    group_id: group.id,
    group_type: group.type,
    name: group.name,
    parent_group_id: group.parentGroupId,
    ancestor_group_ids: group.ancestorIds,
    allowed_roles: group.allowedRoles,
    default_role: group.defaultRole,
    archived_at: group.archivedAt?.toISOString() ?? null,
  };
}

function payloadOf(group: Group) {
  return {
    group_id: group.id,
    group_type: group.type,
    parent_group_id: group.parentGroupId,
    ancestor_group_ids: group.ancestorIds,
  };
}

/**
 * Workspaces, projects and teams nested to any depth under the account. Each group keeps the ids of
 * all its ancestors, so events carry them and readers roll activity up to every level.
 */
export class GroupService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async create(accountId: string, body: unknown, actor: Actor): Promise<Group> {
    const input = parseBody(createGroupBody, body);
    if (
      input.default_role &&
      input.allowed_roles?.length &&
      !input.allowed_roles.includes(input.default_role)
    )
      throw new InvalidInputError("default_role_not_allowed", "default_role must be one of allowed_roles", {
        details: { field: "default_role" },
      });
    return inTenant(this.db, accountId, (tx) => this.createWithin(tx, accountId, input, actor));
  }

  /** In the caller's tenant transaction; `id` lets a caller choose a stable id (directory teams). */
  async createWithin(
    tx: Tx,
    accountId: string,
    input: z.output<typeof createGroupBody> & { id?: string },
    actor: Actor,
  ): Promise<Group> {
    const parentId = input.parent_group_id ?? accountId;
    const ancestors = await this.ancestorsFor(tx, accountId, parentId);
    const group = await tx.group.create({
      data: {
        id: input.id ?? `grp_${randomBytes(10).toString("hex")}`,
        accountId,
        type: input.type,
        name: input.name,
        parentGroupId: parentId,
        ancestorIds: ancestors,
        allowedRoles: input.allowed_roles ?? [],
        defaultRole: input.default_role ?? null,
      },
    });
    await record(
      this.store,
      tx,
      { type: "group", id: group.id, accountId },
      [
        {
          type: TenancyEvent.GroupCreated,
          data: {
            ...payloadOf(group),
            name: group.name,
            allowed_roles: group.allowedRoles,
            default_role: group.defaultRole,
          },
        },
      ],
      actor,
      this.clock.now(),
    );
    return group;
  }

  async list(accountId: string, includeArchived: boolean): Promise<Group[]> {
    return inTenant(this.db, accountId, (tx) =>
      tx.group.findMany({
        where: { accountId, ...(includeArchived ? {} : { archivedAt: null }) },
        orderBy: { createdAt: "asc" },
      }),
    );
  }

  async get(accountId: string, groupId: string): Promise<Group> {
    return inTenant(this.db, accountId, (tx) => this.require(tx, accountId, groupId));
  }

  async rename(accountId: string, groupId: string, body: unknown, actor: Actor): Promise<Group> {
    const { name } = parseBody(renameBody, body);
    return inTenant(this.db, accountId, (tx) => this.renameWithin(tx, accountId, groupId, name, actor));
  }

  async renameWithin(tx: Tx, accountId: string, groupId: string, name: string, actor: Actor): Promise<Group> {
    const group = await this.require(tx, accountId, groupId, { active: true, forUpdate: true });
    if (group.name === name) return group;
    const renamed = await tx.group.update({ where: { id: groupId }, data: { name } });
    await record(
      this.store,
      tx,
      { type: "group", id: groupId, accountId },
      [
        {
          type: TenancyEvent.GroupRenamed,
          data: { ...payloadOf(renamed), previous_name: group.name, name },
        },
      ],
      actor,
      this.clock.now(),
    );
    return renamed;
  }

  /** Moves a group and its subtree under another parent; a group cannot move under itself or its descendants. */
  async move(accountId: string, groupId: string, body: unknown, actor: Actor): Promise<Group> {
    const { parent_group_id: parentId } = parseBody(moveBody, body);
    return inTenant(this.db, accountId, async (tx) => {
      // One mover at a time per organization: two crossing moves could otherwise build a cycle together.
      await tx.$queryRawUnsafe("SELECT 1 FROM organizations WHERE account_id = $1 FOR UPDATE", accountId);
      const group = await this.require(tx, accountId, groupId, { active: true });
      if (parentId === groupId) throw cycle();
      const ancestors = await this.ancestorsFor(tx, accountId, parentId);
      if (ancestors.includes(groupId)) throw cycle();
      if (group.parentGroupId === parentId) return group;
      const moved = await tx.group.update({
        where: { id: groupId },
        data: { parentGroupId: parentId, ancestorIds: ancestors },
      });
      // Every descendant's ancestry changes by the same prefix.
      const descendants = await tx.group.findMany({ where: { accountId, ancestorIds: { has: groupId } } });
      for (const child of descendants) {
        const below = child.ancestorIds.slice(child.ancestorIds.indexOf(groupId));
        await tx.group.update({ where: { id: child.id }, data: { ancestorIds: [...ancestors, ...below] } });
      }
      await record(
        this.store,
        tx,
        { type: "group", id: groupId, accountId },
        [
          {
            type: TenancyEvent.GroupMoved,
            data: { ...payloadOf(moved), previous_parent_group_id: group.parentGroupId },
          },
        ],
        actor,
        this.clock.now(),
      );
      return moved;
    });
  }

  /** Archives a group with its subtree; their memberships end (member.removed, reason group_archived). */
  async archive(accountId: string, groupId: string, actor: Actor): Promise<Group> {
    return inTenant(this.db, accountId, (tx) => this.archiveWithin(tx, accountId, groupId, actor));
  }

  async archiveWithin(tx: Tx, accountId: string, groupId: string, actor: Actor): Promise<Group> {
    const group = await this.require(tx, accountId, groupId, { active: true, forUpdate: true });
    const now = this.clock.now();
    const descendants = await tx.group.findMany({
      where: { accountId, ancestorIds: { has: groupId }, archivedAt: null },
    });
    const ids = [groupId, ...descendants.map((d) => d.id)];
    await tx.group.updateMany({ where: { id: { in: ids } }, data: { archivedAt: now } });
    const memberships = await tx.membership.findMany({ where: { accountId, groupId: { in: ids } } });
    await tx.membership.deleteMany({ where: { accountId, groupId: { in: ids } } });
    const types = new Map([group, ...descendants].map((g) => [g.id, g.type]));
    for (const m of memberships)
      await record(
        this.store,
        tx,
        { type: "membership", id: `${m.groupId}:${m.userId}`, accountId },
        [
          {
            type: TenancyEvent.MemberRemoved,
            data: {
              user_id: m.userId,
              group_id: m.groupId,
              group_type: types.get(m.groupId),
              role: m.role,
              reason: "group_archived",
            },
          },
        ],
        actor,
        now,
      );
    const archived = await this.require(tx, accountId, groupId);
    await record(
      this.store,
      tx,
      { type: "group", id: groupId, accountId },
      [
        {
          type: TenancyEvent.GroupArchived,
          data: {
            ...payloadOf(archived),
            name: archived.name,
            archived_descendant_group_ids: descendants.map((d) => d.id),
          },
        },
      ],
      actor,
      now,
    );
    return archived;
  }

  async require(
    tx: Tx,
    accountId: string,
    groupId: string,
    options: { active?: boolean; forUpdate?: boolean } = {},
  ): Promise<Group> {
    if (options.forUpdate) await tx.$queryRawUnsafe("SELECT 1 FROM groups WHERE id = $1 FOR UPDATE", groupId);
    const group = await tx.group.findFirst({ where: { id: groupId, accountId } });
    if (!group) throw new NotFoundError("group_not_found", `group ${groupId} does not exist`);
    if (options.active && group.archivedAt)
      throw new ConflictError("group_archived", `group ${groupId} is archived`);
    return group;
  }

  /** The ancestry of a new child of `parentId`: the account alone, or the parent's ancestry plus the parent. */
  private async ancestorsFor(tx: Tx, accountId: string, parentId: string): Promise<string[]> {
    if (parentId === accountId) return [accountId];
    const parent = await tx.group.findFirst({ where: { id: parentId, accountId } });
    if (!parent)
      throw new InvalidInputError("parent_group_unknown", `parent group ${parentId} does not exist`, {
        details: { field: "parent_group_id" },
      });
    if (parent.archivedAt)
      throw new InvalidInputError("parent_group_archived", `parent group ${parentId} is archived`, {
        details: { field: "parent_group_id" },
      });
    return [...parent.ancestorIds, parent.id];
  }
}

const cycle = () =>
  new InvalidInputError("group_cycle", "a group cannot move under itself or one of its own subgroups", {
    details: { field: "parent_group_id" },
  });
