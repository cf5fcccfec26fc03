import { randomBytes } from "node:crypto";
import { inTenant } from "@platform/database";
import { ConflictError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import type { Actor } from "../domain/events";
import { decide, type GroupEvent, type ParentState } from "../domain/groups";
import type { Group } from "../generated/prisma/client";
import type { Memberships } from "./memberships";
import type { ProjectLimit } from "./projects";
import { type Db, lockOrganization, record, type Tx } from "./tenant";

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

/**
 * Workspaces, projects and teams nested to any depth under the account. Each group keeps the ids of
 * all its ancestors, so events carry them and readers roll activity up to every level.
 */
export class GroupService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly memberships: Memberships,
    private readonly projectLimit: ProjectLimit,
  ) {}

  async create(accountId: string, body: unknown, actor: Actor): Promise<Group> {
    const input = parseBody(createGroupBody, body);
    return inTenant(this.db, accountId, (tx) => this.createWithin(tx, accountId, input, actor));
  }

  /** In the caller's tenant transaction; `id` lets a caller choose a stable id (directory teams). */
  async createWithin(
    tx: Tx,
    accountId: string,
    input: z.output<typeof createGroupBody> & { id?: string },
    actor: Actor,
  ): Promise<Group> {
    const id = input.id ?? `grp_${randomBytes(10).toString("hex")}`;
    const parentGroupId = input.parent_group_id ?? accountId;
    // The plan's `projects` limit; other kinds of group are not limited.
    if (input.type === "project") await this.projectLimit.ensureRoom(tx, accountId);
    const events = decide(null, {
      kind: "create",
      id,
      accountId,
      type: input.type,
      name: input.name,
      parentGroupId,
      parent: await this.parentState(tx, accountId, parentGroupId),
      allowedRoles: input.allowed_roles ?? [],
      defaultRole: input.default_role ?? null,
    });
    await this.append(tx, accountId, id, 0, events, actor);
    return this.require(tx, accountId, id);
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
    // A plain read: a concurrent command on the same group is refused by the store (expected version).
    const group = await this.require(tx, accountId, groupId);
    const events = decide(group, { kind: "rename", name });
    return this.applied(tx, accountId, group, events, actor);
  }

  /** Moves a group and its subtree under another parent; a group cannot move under itself or its descendants. */
  async move(accountId: string, groupId: string, body: unknown, actor: Actor): Promise<Group> {
    const { parent_group_id: parentId } = parseBody(moveBody, body);
    return inTenant(this.db, accountId, async (tx) => {
      // The one rule here that spans aggregates: the cycle check reads other groups' ancestry, and two
      // crossing moves (A under B, B under A) each pass it on their own and build a cycle together.
      // The expected version guards only the moved group, so movers of one organization take turns.
      await lockOrganization(tx, accountId);
      const group = await this.require(tx, accountId, groupId);
      const events = decide(group, {
        kind: "move",
        parentGroupId: parentId,
        parent: await this.parentState(tx, accountId, parentId),
      });
      return this.applied(tx, accountId, group, events, actor);
    });
  }

  /** Archives a group with its subtree; their memberships end (member.removed, reason group_archived). */
  async archive(accountId: string, groupId: string, actor: Actor): Promise<Group> {
    return inTenant(this.db, accountId, (tx) => this.archiveWithin(tx, accountId, groupId, actor));
  }

  async archiveWithin(tx: Tx, accountId: string, groupId: string, actor: Actor): Promise<Group> {
    const group = await this.require(tx, accountId, groupId);
    const now = this.clock.now();
    const descendants = await tx.group.findMany({
      where: { accountId, ancestorIds: { has: groupId }, archivedAt: null },
    });
    const events = decide(group, { kind: "archive", activeDescendants: descendants.map((d) => d.id) });
    // Their memberships end first, each by its own MemberRemoved at the version read.
    const types = new Map([group, ...descendants].map((g) => [g.id, g.type]));
    const memberships = await tx.membership.findMany({
      where: { accountId, groupId: { in: [...types.keys()] } },
    });
    for (const m of memberships)
      await this.memberships.remove(tx, m, types.get(m.groupId) ?? group.type, "group_archived", actor, now);
    return this.applied(tx, accountId, group, events, actor, now);
  }

  /** Appends what was decided on `group` at its version; the inline handlers write the row. */
  private async applied(
    tx: Tx,
    accountId: string,
    group: Group,
    events: GroupEvent[],
    actor: Actor,
    now: Date = this.clock.now(),
  ): Promise<Group> {
    if (events.length === 0) return group;
    await this.append(tx, accountId, group.id, group.version, events, actor, now);
    return this.require(tx, accountId, group.id);
  }

  private append(
    tx: Tx,
    accountId: string,
    groupId: string,
    expectedVersion: number,
    events: GroupEvent[],
    actor: Actor,
    now: Date = this.clock.now(),
  ): Promise<void> {
    return record(
      this.store,
      tx,
      { type: "group", id: groupId, accountId },
      events,
      actor,
      now,
      expectedVersion,
    );
  }

  async require(
    tx: Tx,
    accountId: string,
    groupId: string,
    options: { active?: boolean } = {},
  ): Promise<Group> {
    const group = await tx.group.findFirst({ where: { id: groupId, accountId } });
    if (!group) throw new NotFoundError("group_not_found", `group ${groupId} does not exist`);
    if (options.active && group.archivedAt)
      throw new ConflictError("group_archived", `group ${groupId} is archived`);
    return group;
  }

  /** The new parent as read: the account itself, or a group of the account (null when there is none). */
  private async parentState(tx: Tx, accountId: string, parentId: string): Promise<ParentState> {
    if (parentId === accountId) return { kind: "account" };
    return { kind: "group", group: await tx.group.findFirst({ where: { id: parentId, accountId } }) };
  }
}
