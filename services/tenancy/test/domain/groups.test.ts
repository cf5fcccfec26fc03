import { ConflictError } from "@platform/errors";
import { TenancyEvent } from "../../src/domain/events";
import {
  decide,
  evolve,
  type GroupCommand,
  type GroupHistoryEvent,
  type GroupState,
  hasRoomForProject,
  rebased,
} from "../../src/domain/groups";
import { invalidInputCode } from "./invalid-input";

const T0 = new Date("2026-11-30T09:00:00.000Z");
const T1 = new Date("2026-11-30T10:00:00.000Z");

function group(id: string, ancestorIds: string[], overrides: Partial<GroupState> = {}): GroupState {
  return {
    id,
    accountId: "acc",
    type: "team",
    name: id,
    parentGroupId: ancestorIds[ancestorIds.length - 1] ?? "acc",
    ancestorIds,
    allowedRoles: [],
    defaultRole: null,
    archivedAt: null,
    createdAt: T0,
    version: 1,
    ...overrides,
  };
}

const ws = group("ws", ["acc"], { type: "workspace" });
const proj = group("proj", ["acc", "ws"], { type: "project" });
const team = group("team", ["acc", "ws", "proj"]);
const gone = group("gone", ["acc"], { archivedAt: T0 });

const create = (parentGroupId: string, parent: GroupState | null | "account"): GroupCommand => ({
  kind: "create",
  id: "new",
  accountId: "acc",
  type: "team",
  name: "New",
  parentGroupId,
  parent: parent === "account" ? { kind: "account" } : { kind: "group", group: parent },
  allowedRoles: ["member"],
  defaultRole: "member",
});

describe("decide: create", () => {
  it.each([
    ["under the account", "acc", "account", ["acc"]],
    ["under a project", "proj", proj, ["acc", "ws", "proj"]],
  ] as const)("%s → GroupCreated with the ancestry", (_case, parentId, parent, ancestors) => {
    expect(decide(null, create(parentId, parent))).toEqual([
      {
        type: TenancyEvent.GroupCreated,
        data: {
          group_id: "new",
          group_type: "team",
          parent_group_id: parentId,
          ancestor_group_ids: ancestors,
          name: "New",
          allowed_roles: ["member"],
          default_role: "member",
        },
      },
    ]);
  });

  it("refuses a default role outside the allowed ones", () => {
    const command = { ...create("acc", "account"), allowedRoles: ["admin"] };
    expect(invalidInputCode(() => decide(null, command))).toBe("default_role_not_allowed");
  });

  it.each([
    ["a parent that does not exist", "grp_missing", null, "parent_group_unknown"],
    ["an archived parent", "gone", gone, "parent_group_archived"],
  ] as const)("refuses %s", (_case, parentId, parent, code) => {
    expect(invalidInputCode(() => decide(null, create(parentId, parent)))).toBe(code);
  });
});

describe("decide: rename, move, archive", () => {
  it.each<[string, GroupState, GroupCommand, string[]]>([
    ["rename to the same name", team, { kind: "rename", name: "team" }, []],
    ["rename", team, { kind: "rename", name: "Rockets" }, [TenancyEvent.GroupRenamed]],
    [
      "move to the parent it has",
      team,
      { kind: "move", parentGroupId: "proj", parent: { kind: "group", group: proj } },
      [],
    ],
    [
      "move to the account",
      team,
      { kind: "move", parentGroupId: "acc", parent: { kind: "account" } },
      [TenancyEvent.GroupMoved],
    ],
    ["archive", proj, { kind: "archive", activeDescendants: ["team"] }, [TenancyEvent.GroupArchived]],
  ])("%s", (_case, state, command, types) => {
    expect(decide(state, command).map((event) => event.type)).toEqual(types);
  });

  it("a move carries the new ancestry and the previous parent", () => {
    const [moved] = decide(proj, { kind: "move", parentGroupId: "acc", parent: { kind: "account" } });
    expect(moved?.data).toMatchObject({
      parent_group_id: "acc",
      ancestor_group_ids: ["acc"],
      previous_parent_group_id: "ws",
    });
  });

  it.each([
    ["under itself", ws, "ws", ws],
    ["under its own descendant", ws, "team", team],
  ] as const)("refuses a move %s (group_cycle)", (_case, state, parentId, parent) => {
    expect(
      invalidInputCode(() =>
        decide(state, { kind: "move", parentGroupId: parentId, parent: { kind: "group", group: parent } }),
      ),
    ).toBe("group_cycle");
  });

  it.each<GroupCommand>([
    { kind: "rename", name: "x" },
    { kind: "move", parentGroupId: "acc", parent: { kind: "account" } },
    { kind: "archive", activeDescendants: [] },
  ])("refuses %j on an archived group (group_archived)", (command) => {
    expect(() => decide(gone, command)).toThrow(ConflictError);
    expect(() => decide(gone, command)).toThrow(expect.objectContaining({ code: "group_archived" }));
  });
});

describe("evolve", () => {
  const at = (version: number, occurredAt: Date, event: Omit<GroupHistoryEvent, "version" | "occurredAt">) =>
    ({ ...event, version, occurredAt }) as GroupHistoryEvent;
  const header = {
    account_id: "acc",
    group_id: "team",
    group_type: "team",
    occurred_at: 0,
    actor: { type: "system", id: null, ip_address: null, user_agent: null },
  };

  it("folds created, renamed, moved and archived into the state, times from the events", () => {
    const history: GroupHistoryEvent[] = [
      at(1, T0, {
        type: TenancyEvent.GroupCreated,
        data: {
          ...header,
          parent_group_id: "proj",
          ancestor_group_ids: ["acc", "ws", "proj"],
          name: "Team",
          allowed_roles: [],
          default_role: null,
        },
      }),
      at(2, T1, {
        type: TenancyEvent.GroupRenamed,
        data: {
          ...header,
          parent_group_id: "proj",
          ancestor_group_ids: ["acc", "ws", "proj"],
          previous_name: "Team",
          name: "Rockets",
        },
      }),
      at(3, T1, {
        type: TenancyEvent.GroupMoved,
        data: {
          ...header,
          parent_group_id: "ws",
          ancestor_group_ids: ["acc", "ws"],
          previous_parent_group_id: "proj",
        },
      }),
    ];
    const state = history.reduce<GroupState | null>(evolve, null);
    expect(state).toEqual(
      group("team", ["acc", "ws"], { name: "Rockets", parentGroupId: "ws", createdAt: T0, version: 3 }),
    );
    const archived = evolve(
      state,
      at(4, T1, {
        type: TenancyEvent.GroupArchived,
        data: {
          ...header,
          parent_group_id: "ws",
          ancestor_group_ids: ["acc", "ws"],
          name: "Rockets",
          archived_descendant_group_ids: [],
        },
      }),
    );
    expect(archived).toMatchObject({ archivedAt: T1, version: 4 });
  });

  it("refuses an event on a group that does not exist", () => {
    expect(() =>
      evolve(
        null,
        at(2, T1, {
          type: TenancyEvent.GroupRenamed,
          data: {
            ...header,
            parent_group_id: "acc",
            ancestor_group_ids: ["acc"],
            previous_name: "a",
            name: "b",
          },
        }),
      ),
    ).toThrow();
  });
});

describe("rebased", () => {
  it.each([
    [["acc", "ws", "proj"], "ws", ["acc", "other"], ["acc", "other", "ws", "proj"]],
    [["acc", "ws", "proj"], "proj", ["acc"], ["acc", "proj"]],
  ])("%j after %s moved under %j → %j", (ancestors, moved, under, expected) => {
    expect(rebased(ancestors, moved, under)).toEqual(expected);
  });
});

describe("hasRoomForProject", () => {
  it.each([
    [2, 1, true],
    [2, 2, false],
    // A downgrade below the count: nothing is taken away, only the next project is refused.
    [2, 5, false],
    [0, 0, false],
    [-1, 0, true],
    [-1, 10_000, true],
  ])("limit %i with %i projects → %s", (limit, projects, room) => {
    expect(hasRoomForProject({ limit, projects })).toBe(room);
  });
});
