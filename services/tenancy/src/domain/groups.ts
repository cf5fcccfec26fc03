import type { TenancyPayloads } from "@platform/contracts";
import { ConflictError, InvalidInputError } from "@platform/errors";
import { type Decided, TenancyEvent } from "./events";

/**
 * The group aggregate: workspaces, projects and teams nested to any depth under the account. Pure
 * rules, no I/O: `decide` turns a command and the state it read into events, `evolve` folds an event
 * into the state (what the inline projection writes to `groups`).
 */
export interface GroupState {
  id: string;
  accountId: string;
  type: string;
  name: string;
  parentGroupId: string;
  /** From the account down to the parent. */
  ancestorIds: string[];
  allowedRoles: string[];
  defaultRole: string | null;
  archivedAt: Date | null;
  createdAt: Date;
  /** The version of the group's last event (0 before it exists). */
  version: number;
}

/** What a command's new parent is: the account itself, or a group as read. */
export type ParentState = { kind: "account" } | { kind: "group"; group: GroupState | null };

export type GroupCommand =
  | {
      kind: "create";
      id: string;
      accountId: string;
      type: string;
      name: string;
      parentGroupId: string;
      parent: ParentState;
      allowedRoles: string[];
      defaultRole: string | null;
    }
  | { kind: "rename"; name: string }
  | { kind: "move"; parentGroupId: string; parent: ParentState }
  /** `activeDescendants`: the ids of the group's subtree not archived yet, as read. */
  | { kind: "archive"; activeDescendants: string[] };

type GroupCreated = TenancyPayloads[typeof TenancyEvent.GroupCreated];
type GroupRenamed = TenancyPayloads[typeof TenancyEvent.GroupRenamed];
type GroupMoved = TenancyPayloads[typeof TenancyEvent.GroupMoved];
type GroupArchived = TenancyPayloads[typeof TenancyEvent.GroupArchived];

export type GroupEvent =
  | { type: typeof TenancyEvent.GroupCreated; data: Decided<GroupCreated> }
  | { type: typeof TenancyEvent.GroupRenamed; data: Decided<GroupRenamed> }
  | { type: typeof TenancyEvent.GroupMoved; data: Decided<GroupMoved> }
  | { type: typeof TenancyEvent.GroupArchived; data: Decided<GroupArchived> };

/**
 * Projects: the organization's groups of type project not archived, against the plan's `projects`
 * limit (-1 = unlimited). Only a new project is refused: a downgrade below the count keeps every
 * project, and the next one fits once enough are archived.
 */
export function hasRoomForProject(usage: { limit: number; projects: number }): boolean {
  return usage.limit === -1 || usage.projects < usage.limit;
}

/** The ancestry of a new child of the parent: the account alone, or the parent's ancestry plus the parent. */
export function ancestryUnder(accountId: string, parentGroupId: string, parent: ParentState): string[] {
  if (parent.kind === "account") return [accountId];
  const group = parent.group;
  if (!group)
    throw new InvalidInputError("parent_group_unknown", `parent group ${parentGroupId} does not exist`, {
      details: { field: "parent_group_id" },
    });
  if (group.archivedAt)
    throw new InvalidInputError("parent_group_archived", `parent group ${parentGroupId} is archived`, {
      details: { field: "parent_group_id" },
    });
  return [...group.ancestorIds, group.id];
}

const cycle = () =>
  new InvalidInputError("group_cycle", "a group cannot move under itself or one of its own subgroups", {
    details: { field: "parent_group_id" },
  });

const archived = (id: string) => new ConflictError("group_archived", `group ${id} is archived`);

function header(group: GroupState) {
  return {
    group_id: group.id,
    group_type: group.type,
    parent_group_id: group.parentGroupId,
    ancestor_group_ids: group.ancestorIds,
  };
}

/** The events a command implies on the group as read (null: the group does not exist yet). */
export function decide(state: GroupState | null, command: GroupCommand): GroupEvent[] {
  if (command.kind === "create") {
    if (state) throw new ConflictError("group_exists", `group ${command.id} exists`);
    const { allowedRoles, defaultRole } = command;
    if (defaultRole && allowedRoles.length > 0 && !allowedRoles.includes(defaultRole))
      throw new InvalidInputError("default_role_not_allowed", "default_role must be one of allowed_roles", {
        details: { field: "default_role" },
      });
    const ancestors = ancestryUnder(command.accountId, command.parentGroupId, command.parent);
    return [
      {
        type: TenancyEvent.GroupCreated,
        data: {
          group_id: command.id,
          group_type: command.type,
          parent_group_id: command.parentGroupId,
          ancestor_group_ids: ancestors,
          name: command.name,
          allowed_roles: command.allowedRoles,
          default_role: command.defaultRole,
        },
      },
    ];
  }
  if (!state) throw new Error("decide: only create applies to a group that does not exist");
  if (state.archivedAt) throw archived(state.id);
  switch (command.kind) {
    case "rename":
      if (state.name === command.name) return [];
      return [
        {
          type: TenancyEvent.GroupRenamed,
          data: { ...header(state), previous_name: state.name, name: command.name },
        },
      ];
    case "move": {
      if (command.parentGroupId === state.id) throw cycle();
      const ancestors = ancestryUnder(state.accountId, command.parentGroupId, command.parent);
      if (ancestors.includes(state.id)) throw cycle();
      if (state.parentGroupId === command.parentGroupId) return [];
      return [
        {
          type: TenancyEvent.GroupMoved,
          data: {
            ...header({ ...state, parentGroupId: command.parentGroupId, ancestorIds: ancestors }),
            previous_parent_group_id: state.parentGroupId,
          },
        },
      ];
    }
    case "archive":
      return [
        {
          type: TenancyEvent.GroupArchived,
          data: {
            ...header(state),
            name: state.name,
            archived_descendant_group_ids: command.activeDescendants,
          },
        },
      ];
  }
}

/** A stored event of the group: its payload, version and time. */
export type GroupHistoryEvent = { version: number; occurredAt: Date } & (
  | { type: typeof TenancyEvent.GroupCreated; data: GroupCreated }
  | { type: typeof TenancyEvent.GroupRenamed; data: GroupRenamed }
  | { type: typeof TenancyEvent.GroupMoved; data: GroupMoved }
  | { type: typeof TenancyEvent.GroupArchived; data: GroupArchived }
);

/** An event of the group folded into its state; times come from the event, never the wall clock. */
export function evolve(state: GroupState | null, event: GroupHistoryEvent): GroupState {
  if (event.type === TenancyEvent.GroupCreated) {
    const { data } = event;
    return {
      id: data.group_id,
      accountId: data.account_id,
      type: data.group_type,
      name: data.name,
      parentGroupId: data.parent_group_id,
      ancestorIds: data.ancestor_group_ids,
      allowedRoles: data.allowed_roles,
      defaultRole: data.default_role,
      archivedAt: null,
      createdAt: event.occurredAt,
      version: event.version,
    };
  }
  if (!state) throw new Error(`evolve: ${event.type} on a group that does not exist`);
  const next = { ...state, version: event.version };
  switch (event.type) {
    case TenancyEvent.GroupRenamed:
      return { ...next, name: event.data.name };
    case TenancyEvent.GroupMoved:
      return {
        ...next,
        parentGroupId: event.data.parent_group_id,
        ancestorIds: event.data.ancestor_group_ids,
      };
    case TenancyEvent.GroupArchived:
      return { ...next, archivedAt: event.occurredAt };
  }
}

/**
 * A descendant's ancestry after `movedId` moved under `ancestors` (the moved group's new ancestry):
 * everything from the moved group down stays, the prefix above it is replaced.
 */
export function rebased(descendantAncestors: string[], movedId: string, ancestors: string[]): string[] {
  return [...ancestors, ...descendantAncestors.slice(descendantAncestors.indexOf(movedId))];
}
