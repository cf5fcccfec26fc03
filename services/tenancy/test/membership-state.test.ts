/**
 * Memberships as event-sourced state (issue #10 items 1, 3, 4, 5): `memberships` is written only by
 * tenancy's inline handlers (MemberAdded/RoleChanged/Removed), a concurrent change of one membership is
 * refused by the store's expected version (no row lock), a group's archive ends its memberships by
 * events, and a rebuild from `platform_events` at a later time equals the live table.
 */
import { allTenantIds, inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import type { Membership } from "../src/generated/prisma/client";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;

beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h?.close());

const actorOf = (userId: string) => ({ type: "user", id: userId, ip_address: null, user_agent: null });

/** Every tenant's memberships (row-level security: one tenant transaction each), in a stable order. */
async function allMemberships(): Promise<Membership[]> {
  const rows: Membership[] = [];
  for (const accountId of await allTenantIds(h.service.db))
    rows.push(
      ...(await inTenant(h.service.db, accountId, (tx) => tx.membership.findMany({ where: { accountId } }))),
    );
  return rows.sort((a, b) => `${a.groupId}:${a.userId}`.localeCompare(`${b.groupId}:${b.userId}`));
}

async function lockWaiters(): Promise<number> {
  const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return row?.n ?? 0;
}

async function eventsOf(aggregateId: string): Promise<string[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ event_type: string }[]>(
    "SELECT event_type FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    aggregateId,
  );
  return rows.map((row) => row.event_type.replace("platform.tenancy.", ""));
}

describe("memberships decide on their state and append at its version", () => {
  it("of two concurrent role changes of one team membership, one commits and the other gets 409 concurrency_conflict", async () => {
    const organization = await h.organization();
    const { accountId, owner } = organization;
    const person = await h.member(organization);
    const team = await h.service.groups.create(
      accountId,
      { type: "team", name: "Team" },
      actorOf(owner.userId),
    );
    const path = `/v1/organizations/${accountId}/groups/${team.id}/members`;
    const added = await h.call("POST", path, { token: owner.token, body: { user_id: person.userId } });
    expect(added.status).toBe(201);

    let second: Promise<{ status: number; body: Record<string, unknown> }> | undefined;
    await inTenant(h.service.db, accountId, async (tx) => {
      const membership = await tx.membership.findUniqueOrThrow({
        where: { groupId_userId: { groupId: team.id, userId: person.userId } },
      });
      await h.service.memberships.changeRole(tx, membership, "team", "lead", actorOf(owner.userId));
      // The request reads the same committed membership without waiting on any lock, and reaches
      // its append, where it waits only on this change's uncommitted entry at the same version.
      second = h.call("PATCH", `${path}/${person.userId}`, { token: owner.token, body: { role: "captain" } });
      await waitFor(async () => ((await lockWaiters()) > 0 ? true : undefined), {
        what: "the second append waiting",
      });
    });
    const lost = await second;
    expect(lost).toMatchObject({ status: 409, body: { code: "concurrency_conflict" } });
    expect(await eventsOf(`${team.id}:${person.userId}`)).toEqual(["MemberAdded", "MemberRoleChanged"]);
    const members = await h.call("GET", path, { token: owner.token });
    expect(members.body.data).toEqual([expect.objectContaining({ user_id: person.userId, role: "lead" })]);
  });

  it("archiving a group ends its memberships by MemberRemoved; a person added again continues the membership's history", async () => {
    const organization = await h.organization();
    const { accountId, owner } = organization;
    const actor = actorOf(owner.userId);
    const person = await h.member(organization);
    const team = await h.service.groups.create(accountId, { type: "team", name: "Team" }, actor);
    const path = `/v1/organizations/${accountId}/groups/${team.id}/members`;
    await h.call("POST", path, { token: owner.token, body: { user_id: person.userId } });
    await h.call("DELETE", `${path}/${person.userId}`, { token: owner.token });
    const again = await h.call("POST", path, { token: owner.token, body: { user_id: person.userId } });
    expect(again.status).toBe(201);
    await h.service.groups.archive(accountId, team.id, actor);

    expect(await eventsOf(`${team.id}:${person.userId}`)).toEqual([
      "MemberAdded",
      "MemberRemoved",
      "MemberAdded",
      "MemberRemoved",
    ]);
    const rows = await inTenant(h.service.db, accountId, (tx) =>
      tx.membership.findMany({ where: { accountId, groupId: team.id } }),
    );
    expect(rows).toEqual([]);
  });
});

describe("rebuilding memberships from the log", () => {
  it("drops every membership of every tenant, replays platform_events at a later time, and writes equal rows", async () => {
    for (const name of ["Initech", "Globex"]) {
      const organization = await h.organization(name);
      const { accountId, owner } = organization;
      const actor = actorOf(owner.userId);
      const alice = await h.member(organization, "admin");
      const bob = await h.member(organization);
      h.clock.advance(1_000);
      const team = await h.service.groups.create(accountId, { type: "team", name: "Team" }, actor);
      const gone = await h.service.groups.create(accountId, { type: "team", name: "Gone" }, actor);
      for (const [group, person] of [
        [team, alice],
        [team, bob],
        [gone, bob],
      ] as const)
        await h.call("POST", `/v1/organizations/${accountId}/groups/${group.id}/members`, {
          token: owner.token,
          body: { user_id: person.userId },
        });
      h.clock.advance(1_000);
      await h.call("PATCH", `/v1/organizations/${accountId}/members/${alice.userId}`, {
        token: owner.token,
        body: { role: "owner" },
      });
      await h.call("PATCH", `/v1/organizations/${accountId}/groups/${team.id}/members/${alice.userId}`, {
        token: owner.token,
        body: { role: "lead" },
      });
      await h.service.groups.archive(accountId, gone.id, actor);
      const removed = await h.call("DELETE", `/v1/organizations/${accountId}/members/${bob.userId}`, {
        token: owner.token,
      });
      expect(removed.status).toBe(204);
    }
    const live = await allMemberships();
    expect(live.filter((m) => m.role === "owner").length).toBeGreaterThanOrEqual(4);
    expect(live.some((m) => m.role === "lead")).toBe(true);

    h.clock.advance(86_400_000);
    const [victim] = live;
    if (victim)
      await inTenant(h.service.db, victim.accountId, (tx) =>
        tx.membership.update({
          where: { groupId_userId: { groupId: victim.groupId, userId: victim.userId } },
          data: { role: "tampered", version: 99 },
        }),
      );

    await h.service.rebuildState();
    expect(await allMemberships()).toEqual(live);
  });
});
