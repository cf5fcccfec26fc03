import { TenancyEvent } from "../../src/domain/events";
import {
  decide,
  evolve,
  hasFreeSeat,
  isProvisioningSource,
  type MembershipEvent,
  type MembershipHistoryEvent,
  type MembershipState,
  refusalToAdd,
} from "../../src/domain/membership.js";

describe("refusalToAdd", () => {
  it.each([
    [true, true, "member_exists"],
    [true, false, "not_an_organization_member"],
    [false, true, null],
    [false, false, "not_an_organization_member"],
  ] as const)(
    "account level %s, organization member %s → %s",
    (groupIsAccount, isOrganizationMember, refusal) => {
      expect(refusalToAdd({ groupIsAccount, isOrganizationMember })).toBe(refusal);
    },
  );
});

describe("hasFreeSeat", () => {
  it.each([
    [{ limit: -1, members: 1_000, pending: 50 }, true],
    [{ limit: 5, members: 4, pending: 0 }, true],
    [{ limit: 5, members: 4, pending: 1 }, false],
    [{ limit: 5, members: 6, pending: 0 }, false],
    [{ limit: 0, members: 0, pending: 0 }, false],
  ])("%j → %s", (usage, free) => {
    expect(hasFreeSeat(usage)).toBe(free);
  });
});

describe("isProvisioningSource", () => {
  it.each([
    ["scim", true],
    ["saml", true],
    ["oidc", true],
    ["admin", false],
    ["SCIM", false],
    ["", false],
  ])("%s → %s", (source, known) => {
    expect(isProvisioningSource(source)).toBe(known);
  });
});

describe("membership aggregate", () => {
  const T0 = new Date("2026-11-30T09:00:00.000Z");
  const T1 = new Date("2026-11-30T10:00:00.000Z");
  const ACTOR = { type: "system", id: null, ip_address: null, user_agent: null };
  const member: MembershipState = {
    accountId: "acc",
    groupId: "grp",
    userId: "usr",
    role: "member",
    source: "admin",
    createdAt: T0,
    version: 1,
  };
  const stored = (event: MembershipEvent, version: number): MembershipHistoryEvent =>
    ({
      ...event,
      data: { account_id: "acc", ...event.data, occurred_at: T1.getTime(), actor: ACTOR },
      version,
      occurredAt: T1,
    }) as MembershipHistoryEvent;
  const add = {
    kind: "add",
    accountId: "acc",
    groupId: "grp",
    groupType: "team",
    userId: "usr",
    role: "member",
    source: "admin",
  } as const;

  it.each([
    ["add a new member", null, add, [TenancyEvent.MemberAdded]],
    ["same role again", member, { kind: "changeRole", groupType: "team", role: "member" }, []],
    [
      "another role",
      member,
      { kind: "changeRole", groupType: "team", role: "lead" },
      [TenancyEvent.MemberRoleChanged],
    ],
    [
      "remove",
      member,
      { kind: "remove", groupType: "team", reason: "removed" },
      [TenancyEvent.MemberRemoved],
    ],
  ] as const)("decide: %s", (_case, state, command, types) => {
    expect(decide(state, command).map((e) => e.type)).toEqual(types);
  });

  it("decide: adding someone who is a member there already → 409 member_exists", () => {
    expect(() => decide(member, add)).toThrow(expect.objectContaining({ code: "member_exists" }));
  });

  it("decide: a role change says the previous role, a removal the role held", () => {
    expect(decide(member, { kind: "changeRole", groupType: "team", role: "lead" })[0]?.data).toMatchObject({
      previous_role: "member",
      role: "lead",
      group_type: "team",
    });
    expect(
      decide(member, { kind: "remove", groupType: "team", reason: "group_archived" })[0]?.data,
    ).toMatchObject({ role: "member", reason: "group_archived" });
  });

  it("evolve: added at the event's time and version, role changed, removed to nothing", () => {
    const [added] = decide(null, add);
    if (!added) throw new Error("nothing decided");
    expect(evolve(null, stored(added, 3))).toEqual({ ...member, createdAt: T1, version: 3 });
    const [changed] = decide(member, { kind: "changeRole", groupType: "team", role: "lead" });
    if (!changed) throw new Error("nothing decided");
    expect(evolve(member, stored(changed, 2))).toEqual({ ...member, role: "lead", version: 2 });
    const [removed] = decide(member, { kind: "remove", groupType: "team", reason: "removed" });
    if (!removed) throw new Error("nothing decided");
    expect(evolve(member, stored(removed, 2))).toBeNull();
    expect(() => evolve(null, stored(removed, 2))).toThrow(/does not exist/);
  });
});
