/**
 * Measures the kit end to end on the running infrastructure: append rate (one command = one
 * transaction), relay publish rate, and projector apply rate, with the ledger fixture.
 *   pnpm --filter @platform/event-sourcing bench [-- --events 2000 --accounts 20]
 * Prints figures; asserts nothing. Record results in docs/benchmarks.md.
 */
import { parseArgs } from "node:util";
import { createTestDatabase, infrastructure, uniqueName, waitFor } from "@platform/testkit";
import { Ledger } from "../test/fixture/src/ledger";
import { MIGRATIONS } from "../test/ledger-harness";

async function main(): Promise<void> {
  const { values } = parseArgs({
    // pnpm passes the "--" that separates its own options through.
    args: process.argv.slice(2).filter((arg) => arg !== "--"),
    options: { events: { type: "string", default: "2000" }, accounts: { type: "string", default: "20" } },
  });
  const events = Number(values.events);
  const accounts = Number(values.accounts);
  const infra = infrastructure();
  const database = await createTestDatabase({ migrationsDir: MIGRATIONS });
  const ledger = new Ledger({
    databaseUrl: database.url,
    kafkaBrokers: infra.kafkaBrokers,
    schemaRegistryUrl: infra.schemaRegistryUrl,
    topic: uniqueName("bench.ledger.events"),
  });
  try {
    await ledger.connect();
    await ledger.provision();
    const ids = Array.from({ length: accounts }, (_, i) => `acc-${i}`);
    for (const id of ids) await ledger.openAccount(id, id);

    let started = performance.now();
    // Commands on different aggregates run concurrently, as requests would.
    await Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < events / accounts; i++) await ledger.deposit(id, 1);
      }),
    );
    const appendMs = performance.now() - started;

    started = performance.now();
    const relay = ledger.relay();
    let published = 0;
    for (let batch = await relay.publishBatch(); batch > 0; batch = await relay.publishBatch())
      published += batch;
    const relayMs = performance.now() - started;

    started = performance.now();
    const projector = ledger.projector(uniqueName("bench-projection"));
    await projector.start();
    const firstApplied = await waitFor(async () => (await ledger.db.ledgerDeposit.count()) || undefined, {
      timeoutMs: 60_000,
    });
    const joinedAt = performance.now();
    const cpuAtJoin = process.cpuUsage();
    await waitFor(async () => (await ledger.db.ledgerDeposit.count()) >= events || undefined, {
      timeoutMs: 600_000,
      intervalMs: 20,
    });
    const projectMs = performance.now() - started;
    const afterJoinMs = performance.now() - joinedAt;
    const cpu = process.cpuUsage(cpuAtJoin);
    const cores = (cpu.user + cpu.system) / 1000 / afterJoinMs;
    await projector.stop();

    const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000)}/s`;
    console.log(`events ${events} on ${accounts} aggregates`);
    console.log(
      `append   ${appendMs.toFixed(0)} ms  ${rate(events, appendMs)}  (one transaction per command)`,
    );
    console.log(
      `relay    ${relayMs.toFixed(0)} ms  ${rate(published, relayMs)}  (${published} published incl. account openings)`,
    );
    console.log(
      `project  ${projectMs.toFixed(0)} ms  ${rate(published, projectMs)}  (runs of up to 100 messages per transaction, four bookkeeping statements per run; incl. consumer group join)`,
    );
    console.log(
      `         ${rate(events - firstApplied, afterJoinMs)} after the group join (${events - firstApplied} deposits from the first applied run on; this process kept ${cores.toFixed(2)} cores busy)`,
    );
    console.log(`rss      ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await ledger.close();
    await database.drop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
