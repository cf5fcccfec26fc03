/**
 * The usage count killed mid-run (issue #13): a usage process SIGKILLs itself inside a run's transaction,
 * after one organization's INSERT and before the next one's and the commit (the count's seam,
 * USAGE_TEST_CRASH_AFTER_ACCOUNTS); restarted, it counts every event once. Real broker and Postgres, the
 * service as its own process (test/support/run-usage.ts, the kit's crash-test shape: proofs.test.ts).
 * The harness's own service counts the same topic into its database without crashing: the reference.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { inTenant, postgresAdapter } from "@platform/database";
import { createTestDatabase, type TestDatabase, uniqueName, waitFor } from "@platform/testkit";
import { exited } from "../../../packages/event-sourcing/test/ledger-harness";
import { reportedRecord } from "../src/domain/usage-events";
import { PrismaClient } from "../src/generated/prisma/client";
import { MIGRATIONS_DIR } from "../src/service";
import { type Harness, startUsage } from "./support/harness";
import { spawnUsage, stopUsage } from "./support/process";

let h: Harness;
let other: TestDatabase;
let otherDb: PrismaClient;
const children: ChildProcess[] = [];
beforeAll(async () => {
  h = await startUsage();
  other = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "usage_test" });
  otherDb = new PrismaClient({ adapter: postgresAdapter(other.url) });
}, 120_000);
afterAll(async () => {
  for (const child of children) await stopUsage(child);
  await otherDb?.$disconnect();
  await other?.drop();
  await h?.close();
});

type Totals = Record<string, { events: number; quantity: number }>;

/** Each organization's counted events and their summed quantity, in one database. */
async function totals(db: PrismaClient, accounts: string[]): Promise<Totals> {
  const out: Totals = {};
  for (const accountId of accounts) {
    const rows = await inTenant(db, accountId, (tx) =>
      tx.usageEvent.findMany({ where: { accountId, counted: true }, select: { quantity: true } }),
    );
    out[accountId] = {
      events: rows.length,
      quantity: rows.reduce((sum, row) => sum + Number(row.quantity), 0),
    };
  }
  return out;
}

async function appliedOffsets(db: PrismaClient, group: string): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ n: bigint | null }[]>(
    "SELECT sum(next_offset) AS n FROM platform_consumer_offsets WHERE consumer_group = $1",
    group,
  );
  return Number(row?.n ?? 0);
}

it("a count killed between two organizations' statements of a run, restarted, loses nothing and doubles nothing", async () => {
  const accounts = Array.from({ length: 20 }, () => `acc_${randomBytes(8).toString("hex")}`);
  const actor = { type: "system", id: "backend", ip_address: null, user_agent: null };
  const total = 1_500;
  const records = Array.from({ length: total }, (_, i) =>
    reportedRecord(
      accounts[i % accounts.length] as string,
      {
        idempotencyKey: `k-${i}`,
        metric: "api_calls",
        quantity: (i % 9) + 1,
        dimensions: {},
        source: null,
        subject: null,
        occurredAt: h.clock.now().getTime(),
      },
      actor,
    ),
  );
  // Every event twice (a producer's retry), in chunks, so runs hold many organizations and repeats.
  for (let i = 0; i < total; i += 500) await h.service.reports.send(records.slice(i, i + 500));
  for (let i = 0; i < total; i += 750) await h.service.reports.send(records.slice(i, i + 750));
  const onTopic = total * 2;
  await h.counted();
  const reference = await totals(h.service.db, accounts);
  expect(Object.values(reference).reduce((sum, t) => sum + t.events, 0)).toBe(total);

  const env = {
    DATABASE_URL: other.url,
    USAGE_EVENTS_TOPIC: h.topics.usage,
    USAGE_INGEST_TOPIC: h.topics.ingest,
    BILLING_EVENTS_TOPIC: h.topics.billing,
    TENANCY_EVENTS_TOPIC: h.topics.tenancy,
    IDENTITY_EVENTS_TOPIC: h.topics.identity,
    READ_MODEL_GROUP: uniqueName("usage-crash"),
  };
  const group = `${env.READ_MODEL_GROUP}.count`;
  // Dies in its first run that spans more than one organization, after the first one's INSERT.
  const died = await spawnUsage({ ...env, USAGE_TEST_CRASH_AFTER_ACCOUNTS: "1" }).then(
    ({ child }) => {
      children.push(child);
      return (
        child.signalCode ??
        new Promise<string | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)))
      );
    },
    // The count starts before HTTP: it may die before it serves.
    (error: Error) => error.message,
  );
  expect(died).toMatch(/SIGKILL/);
  const before = await totals(otherDb, accounts);
  // The killed run was not committed: fewer events than sent, and its offsets not stored.
  expect(Object.values(before).reduce((sum, t) => sum + t.events, 0)).toBeLessThan(total);
  expect(await appliedOffsets(otherDb, group)).toBeLessThan(onTopic);

  const { child } = await spawnUsage(env);
  children.push(child);
  await waitFor(async () => (await appliedOffsets(otherDb, group)) >= onTopic || undefined, {
    what: "the restarted count to apply usage.ingest",
    timeoutMs: 60_000,
  });
  expect(await totals(otherDb, accounts)).toEqual(reference);
  await stopUsage(child);
  expect(await exited(child)).toBe(0);
  // Two usage processes start in this test beside the harness's (each compiles the service with tsx,
  // ~10–20 s while a CI run's four suites share the machine), and three counts apply the topic:
  // minutes on a busy machine (a CI run hit the old 180 s), ~25 s on a quiet one.
}, 360_000);
