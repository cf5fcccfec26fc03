/**
 * Groups as event-sourced state (issue #10 items 1, 3, 4, 5): the `groups` table is written only by
 * tenancy's inline handlers, a concurrent command on one group is refused by the store's expected
 * version (no row lock), and a rebuild from `platform_events` at a later time equals the live table.
 */
import { allTenantIds, inTenant } from "@platform/database";
import { ConcurrencyConflictError, httpStatusOf, isRetriable } from "@platform/errors";
import { waitFor } from "@platform/testkit";
import type { Group } from "../src/generated/prisma/client";
import { retryOnConflict } from "../src/projections/directory-teams";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;

beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h?.close());

const actorOf = (userId: string) => ({ type: "user", id: userId, ip_address: null, user_agent: null });

/** Every tenant's groups (row-level security: one tenant transaction each), in a stable order. */
async function allGroups(): Promise<Group[]> {
  const rows: Group[] = [];
  for (const accountId of await allTenantIds(h.service.db))
    rows.push(
      ...(await inTenant(h.service.db, accountId, (tx) => tx.group.findMany({ where: { accountId } }))),
    );
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** Sessions of this test's database waiting on a lock (a transaction id: a unique index entry). */
async function lockWaiters(): Promise<number> {
  const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return row?.n ?? 0;
}

describe("groups decide on their state and append at its version", () => {
  it("of two concurrent renames of one group, one commits and the other gets 409 concurrency_conflict", async () => {
    const { accountId, owner } = await h.organization();
    const actor = actorOf(owner.userId);
    const groups = h.service.groups;
    const team = await groups.create(accountId, { type: "team", name: "Team" }, actor);
    expect(team.version).toBe(1);

    let second: Promise<Group> | undefined;
    const first = await inTenant(h.service.db, accountId, async (tx) => {
      const renamed = await groups.renameWithin(tx, accountId, team.id, "Rockets", actor);
      // The second rename reads the same committed state (version 1) without waiting on any row lock,
      // and reaches its append, where it waits only on the first one's uncommitted (group, 2) entry.
      second = groups.rename(accountId, team.id, { name: "Comets" }, actor);
      second.catch(() => undefined);
      await waitFor(async () => ((await lockWaiters()) > 0 ? true : undefined), {
        what: "the second append waiting",
      });
      return renamed;
    });
    expect(first).toMatchObject({ name: "Rockets", version: 2 });

    const lost = await second?.then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(lost instanceof ConcurrencyConflictError))
      throw new Error(`expected a conflict, got ${String(lost)}`);
    expect(lost).toMatchObject({ kind: "conflict", code: "concurrency_conflict" });
    expect(httpStatusOf(lost)).toBe(409);

    // The loser left nothing: one rename in the log, and the row as the winner's event wrote it.
    const [events] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM platform_events WHERE aggregate_id = $1",
      team.id,
    );
    expect(events?.n).toBe(2);
    expect(await groups.get(accountId, team.id)).toMatchObject({ name: "Rockets", version: 2 });
  });

  it("a rename over HTTP answers the row its event wrote, at the event's time", async () => {
    const { accountId, owner } = await h.organization();
    const created = await h.call("POST", `/v1/organizations/${accountId}/groups`, {
      token: owner.token,
      body: { type: "workspace", name: "Ops" },
    });
    h.clock.advance(60_000);
    const renamed = await h.call("PATCH", `/v1/organizations/${accountId}/groups/${created.body.group_id}`, {
      token: owner.token,
      body: { name: "Operations" },
    });
    expect(renamed.body).toMatchObject({ name: "Operations" });
    const row = await h.service.groups.get(accountId, created.body.group_id);
    const [first] = await h.service.db.$queryRawUnsafe<{ occurred_at: Date }[]>(
      "SELECT occurred_at FROM platform_events WHERE aggregate_id = $1 AND version = 1",
      row.id,
    );
    expect(row).toMatchObject({ version: 2, createdAt: first?.occurred_at });
  });
});

describe("rebuilding groups from the log", () => {
  it("drops every group of every tenant, replays platform_events at a later time, and writes equal rows", async () => {
    const groups = h.service.groups;
    for (const name of ["Initech", "Globex"]) {
      const { accountId, owner } = await h.organization(name);
      const actor = actorOf(owner.userId);
      const ws = await groups.create(accountId, { type: "workspace", name: `${name} HQ` }, actor);
      const other = await groups.create(accountId, { type: "workspace", name: `${name} Labs` }, actor);
      h.clock.advance(1_000);
      const project = await groups.create(
        accountId,
        {
          type: "project",
          name: "Apollo",
          parent_group_id: ws.id,
          allowed_roles: ["member", "admin"],
          default_role: "member",
        },
        actor,
      );
      const team = await groups.create(
        accountId,
        { type: "team", name: "Rocket", parent_group_id: project.id },
        actor,
      );
      await groups.create(accountId, { type: "team", name: "Pad", parent_group_id: project.id }, actor);
      h.clock.advance(1_000);
      await groups.rename(accountId, team.id, { name: "Rocket team" }, actor);
      await groups.move(accountId, project.id, { parent_group_id: other.id }, actor);
      h.clock.advance(1_000);
      await groups.archive(accountId, project.id, actor);
    }
    const live = await allGroups();
    expect(live.filter((g) => g.archivedAt).length).toBeGreaterThanOrEqual(6);
    expect(live.some((g) => g.ancestorIds.length === 3 && g.archivedAt)).toBe(true);

    h.clock.advance(86_400_000);
    // Damage the live rows the rebuild must throw away.
    const [victim] = live;
    if (victim)
      await inTenant(h.service.db, victim.accountId, (tx) =>
        tx.group.update({ where: { id: victim.id }, data: { name: "tampered", version: 99 } }),
      );

    // One transaction over every tenant's events: each handler enters its event's tenant, or row-level
    // security would refuse the second organization's rows.
    const replayed = await h.service.rebuildState();
    expect(replayed).toBeGreaterThan(live.length);
    expect(await allGroups()).toEqual(live);
  });
});

describe("directory teams", () => {
  it("a concurrency conflict while applying the directory's event is retried, not dead-lettered", async () => {
    const conflicting = retryOnConflict(async () => {
      throw new ConcurrencyConflictError("grp_dir_x", 1);
    });
    const refused = retryOnConflict(async () => {
      throw new Error("poison");
    });
    expect(isRetriable(await conflicting().catch((error: unknown) => error))).toBe(true);
    expect(isRetriable(await refused().catch((error: unknown) => error))).toBe(false);
  });
});
