/**
 * Domains as event-sourced state (issue #10 items 1, 3, 4, 5): `domains` and the cross-tenant claim
 * table `verified_domains` are written only by tenancy's inline handlers, a concurrent command on one
 * domain is refused by the store's expected version (no row lock), and a rebuild from
 * `platform_events` at a later time equals the live tables.
 */
import { randomBytes } from "node:crypto";
import { allTenantIds, inTenant } from "@platform/database";
import { ConcurrencyConflictError, httpStatusOf } from "@platform/errors";
import { waitFor } from "@platform/testkit";
import type { TxtResolver } from "../src/app/dns";
import { txtRecordName } from "../src/domain/domains";
import { TenancyEvent } from "../src/domain/events";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
const txt = new Map<string, string[][]>();
const fakeDns: TxtResolver = async (name) => {
  const records = txt.get(name);
  if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return records;
};

beforeAll(async () => {
  h = await startTenancy({}, { dns: fakeDns });
});
afterAll(() => h?.close());

const actorOf = (userId: string) => ({ type: "user", id: userId, ip_address: null, user_agent: null });

/** Every tenant's domains and claims (row-level security: one tenant transaction each). */
async function allDomainState() {
  const domains = [];
  const claims = [];
  for (const accountId of await allTenantIds(h.service.db)) {
    const rows = await inTenant(h.service.db, accountId, async (tx) => ({
      domains: await tx.domain.findMany({ where: { accountId }, orderBy: { id: "asc" } }),
      claims: await tx.verifiedDomain.findMany({ where: { accountId }, orderBy: { domain: "asc" } }),
    }));
    domains.push(...rows.domains);
    claims.push(...rows.claims);
  }
  return { domains, claims };
}

async function lockWaiters(): Promise<number> {
  const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return row?.n ?? 0;
}

/** A domain added and verified through the service (the fake DNS holds its record). */
async function verifiedDomain(accountId: string, actor: ReturnType<typeof actorOf>, autoJoin = false) {
  const name = `d${randomBytes(5).toString("hex")}.example`;
  const domain = await h.service.domains.add(accountId, { domain: name, auto_join: autoJoin }, actor);
  txt.set(txtRecordName(name), [[domain.txtValue]]);
  return h.service.domains.verify(accountId, domain.id, actor);
}

describe("domains decide on their state and append at its version", () => {
  it("of a removal and an auto_join change at once, one commits and the other gets 409 concurrency_conflict", async () => {
    const { accountId, owner } = await h.organization();
    const actor = actorOf(owner.userId);
    const domain = await verifiedDomain(accountId, actor);
    expect(domain).toMatchObject({ version: 2 });

    let second: Promise<unknown> | undefined;
    await inTenant(h.service.db, accountId, async (tx) => {
      const row = await tx.domain.findUniqueOrThrow({ where: { id: domain.id } });
      await h.service.store.append(tx, {
        aggregate: { type: "domain", id: row.id, tenantId: accountId },
        expectedVersion: row.version,
        events: [
          {
            type: TenancyEvent.DomainRemoved,
            data: {
              account_id: accountId,
              domain_id: row.id,
              domain: row.domain,
              auto_join: row.autoJoin,
              occurred_at: h.clock.now().getTime(),
              actor,
            },
          },
        ],
      });
      second = h.service.domains.setAutoJoin(accountId, domain.id, true, actor);
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
    expect(lost).toMatchObject({ code: "concurrency_conflict" });
    expect(httpStatusOf(lost)).toBe(409);
    const state = await allDomainState();
    expect(state.domains.find((d) => d.id === domain.id)).toBeUndefined();
    expect(state.claims.find((c) => c.domain === domain.domain)).toBeUndefined();
  });
});

describe("rebuilding domains from the log", () => {
  it("drops every domain and claim, replays platform_events at a later time, and writes equal rows", async () => {
    for (const name of ["Initech", "Globex"]) {
      const { accountId, owner } = await h.organization(name);
      const actor = actorOf(owner.userId);
      const kept = await verifiedDomain(accountId, actor);
      h.clock.advance(1_000);
      await h.service.domains.setAutoJoin(accountId, kept.id, true, actor);
      await h.service.domains.add(accountId, { domain: `pending-${accountId.slice(4)}.example` }, actor);
      const gone = await verifiedDomain(accountId, actor, true);
      h.clock.advance(1_000);
      await h.service.domains.remove(accountId, gone.id, actor);
    }
    const live = await allDomainState();
    expect(live.claims.filter((c) => c.autoJoin).length).toBeGreaterThanOrEqual(2);
    expect(live.domains.some((d) => d.verifiedAt === null)).toBe(true);

    h.clock.advance(86_400_000);
    const [victim] = live.domains;
    if (victim)
      await inTenant(h.service.db, victim.accountId, (tx) =>
        tx.domain.update({ where: { id: victim.id }, data: { autoJoin: !victim.autoJoin, version: 99 } }),
      );

    await h.service.rebuildState();
    expect(await allDomainState()).toEqual(live);
  });
});
