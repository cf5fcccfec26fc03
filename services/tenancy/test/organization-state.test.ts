/**
 * Organizations as event-sourced state (issue #10 items 1, 3, 4, 5): `organizations` and
 * `organization_creators` are written only by tenancy's inline handlers, a concurrent command on one
 * organization is refused by the store's expected version (no row lock), and a rebuild from
 * `platform_events` at a later time equals the live tables.
 */
import { allTenantIds, inTenant } from "@platform/database";
import { ConcurrencyConflictError, httpStatusOf } from "@platform/errors";
import { waitFor } from "@platform/testkit";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;

beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h?.close());

const actorOf = (userId: string) => ({ type: "user", id: userId, ip_address: null, user_agent: null });

/** Every tenant's organization and creator rows (row-level security: one tenant transaction each). */
async function allOrganizationState() {
  const organizations = [];
  const creators = [];
  for (const accountId of await allTenantIds(h.service.db)) {
    const rows = await inTenant(h.service.db, accountId, async (tx) => ({
      organization: await tx.organization.findUnique({ where: { accountId } }),
      creators: await tx.organizationCreator.findMany({ where: { accountId } }),
    }));
    if (rows.organization) organizations.push(rows.organization);
    creators.push(...rows.creators);
  }
  return { organizations, creators };
}

/**
 * A new organization whose process steps have run: its creator's verified address ticks an onboarding
 * item in the background (processes consumer), which would otherwise land at any point of a test.
 */
async function settledOrganization(name?: string) {
  const organization = await h.organization(name);
  await waitFor(
    async () => {
      const org = await h.service.organizations.get(organization.accountId);
      return org.onboardingDone.includes("verify_email") ? org : undefined;
    },
    { what: "the creator's verified address to tick onboarding" },
  );
  return organization;
}

async function lockWaiters(): Promise<number> {
  const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return row?.n ?? 0;
}

describe("organizations decide on their state and append at its version", () => {
  it("of a suspension and a profile update at once, one commits and the other gets 409 concurrency_conflict", async () => {
    const { accountId, owner } = await settledOrganization();
    const actor = actorOf(owner.userId);
    const organizations = h.service.organizations;
    const before = await organizations.get(accountId);

    let second: Promise<unknown> | undefined;
    await inTenant(h.service.db, accountId, async (tx) => {
      expect(await organizations.transition(tx, accountId, "suspended", actor, "manual")).toBe(true);
      // The update reads the same committed state without waiting on any row lock, and reaches its
      // append, where it waits only on the suspension's uncommitted entry at the same version.
      second = organizations.update(accountId, { name: "Renamed" }, actor);
      second.catch(() => undefined);
      await waitFor(async () => ((await lockWaiters()) > 0 ? true : undefined), {
        what: "the second append waiting",
      });
    });

    const lost = await second?.then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(lost instanceof ConcurrencyConflictError))
      throw new Error(`expected a conflict, got ${String(lost)}`);
    expect(lost).toMatchObject({ kind: "conflict", code: "concurrency_conflict" });
    expect(httpStatusOf(lost)).toBe(409);
    expect(await organizations.get(accountId)).toMatchObject({
      name: before.name,
      status: "suspended",
      version: before.version + 1,
    });
  });

  it("a profile update overtaken by a process step (an onboarding item) is decided again on the new state", async () => {
    const { accountId, owner } = await settledOrganization();
    const organizations = h.service.organizations;
    const before = await organizations.get(accountId);

    let update: Promise<unknown> | undefined;
    await inTenant(h.service.db, accountId, async (tx) => {
      await organizations.completeOnboardingItem(tx, accountId, "set_up_billing", "test.Event");
      update = organizations.update(accountId, { industry: "rockets" }, actorOf(owner.userId));
      update.catch(() => undefined);
      await waitFor(async () => ((await lockWaiters()) > 0 ? true : undefined), {
        what: "the update's append waiting",
      });
    });
    await update;
    expect(await organizations.get(accountId)).toMatchObject({
      industry: "rockets",
      onboardingDone: expect.arrayContaining(["set_up_billing"]),
      version: before.version + 2,
    });
  });

  it("a profile update over HTTP answers the row its event wrote, at the event's time", async () => {
    const { accountId, owner } = await settledOrganization();
    h.clock.advance(60_000);
    const updated = await h.call("PATCH", `/v1/organizations/${accountId}`, {
      token: owner.token,
      body: { industry: "aerospace", settings: { currency: "EUR" } },
    });
    expect(updated.body).toMatchObject({ industry: "aerospace", settings: { currency: "EUR" } });
    const row = await h.service.organizations.get(accountId);
    const [last] = await h.service.db.$queryRawUnsafe<{ occurred_at: Date; version: number }[]>(
      "SELECT occurred_at, version FROM platform_events WHERE aggregate_id = $1 ORDER BY version DESC LIMIT 1",
      accountId,
    );
    expect(row).toMatchObject({ version: last?.version, updatedAt: last?.occurred_at });
  });
});

describe("rebuilding organizations from the log", () => {
  it("drops every organization and creator row, replays platform_events at a later time, and writes equal rows", async () => {
    const organizations = h.service.organizations;
    for (const name of ["Initech", "Globex", "Umbrella"]) {
      const { accountId, owner } = await settledOrganization(name);
      const actor = actorOf(owner.userId);
      h.clock.advance(1_000);
      await organizations.update(
        accountId,
        { description: `${name} Inc.`, founding_date: "1999-02-19", address: { country: "US" } },
        actor,
      );
      await inTenant(h.service.db, accountId, async (tx) => {
        await organizations.completeOnboardingItem(tx, accountId, "verify_email", "test.Event");
        await organizations.transition(tx, accountId, "active", actor);
        await organizations.transition(tx, accountId, "suspended", actor, "payment_overdue");
      });
      h.clock.advance(1_000);
      if (name === "Umbrella") await organizations.close(accountId, "done", actor);
    }
    const live = await allOrganizationState();
    expect(live.organizations.map((o) => o.status)).toEqual(expect.arrayContaining(["suspended", "closed"]));
    expect(live.creators.length).toBe(live.organizations.length);

    h.clock.advance(86_400_000);
    const [victim] = live.organizations;
    if (victim)
      await inTenant(h.service.db, victim.accountId, (tx) =>
        tx.organization.update({ where: { accountId: victim.accountId }, data: { name: "tampered" } }),
      );

    await h.service.rebuildState();
    expect(await allOrganizationState()).toEqual(live);
  });
});
