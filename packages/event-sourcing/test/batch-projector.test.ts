/**
 * The fact path and the batch projector (issue #11), against the real broker, registry and Postgres:
 * facts produced from the HTTP edge, duplicates and redeliveries counted once, a poison record
 * dead-lettered out of a run with the rest applied, a projector killed mid-run, and a rebuild.
 */
import { createHttpApp, type Serving, serve } from "@platform/http";
import { deadLetterTopicFor, Headers, readHeader } from "@platform/messaging";
import { uniqueName, waitFor } from "@platform/testkit";
import type { KafkaMessage } from "kafkajs";
import { Registry } from "prom-client";
import type { Ledger } from "./fixture/src/ledger";
import { provisionUsage, resetUsage, type Usage, usageProducer, usageProjector } from "./fixture/src/usage";
import { usageRoutes } from "./fixture/src/usage-http";
import { exited, LedgerHarness } from "./ledger-harness";

let harness: LedgerHarness;
let topic: string;

beforeEach(async () => {
  harness = await LedgerHarness.create();
  topic = uniqueName("ledger.usage");
});

afterEach(async () => {
  await harness.close();
});

function facts(count: number, { accounts = 4, prefix = "k", quantity = (i: number) => i + 1 } = {}): Usage[] {
  return Array.from({ length: count }, (_, i) => ({
    account_id: `acc-${i % accounts}`,
    idempotency_key: `${prefix}-${i}`,
    metric: "api_calls",
    quantity: quantity(i),
    recorded_at: 1_780_000_000_000 + i,
  }));
}

async function usageRows(ledger: Ledger) {
  const rows = await ledger.db.ledgerUsage.findMany({
    orderBy: [{ accountId: "asc" }, { idempotencyKey: "asc" }],
  });
  const totals = await ledger.db.ledgerUsageTotal.findMany({
    orderBy: [{ accountId: "asc" }, { metric: "asc" }],
  });
  return { rows, totals };
}

async function readTopic(ledger: Ledger, name: string, expected: number): Promise<KafkaMessage[]> {
  const consumer = ledger.kafka.consumer({ groupId: uniqueName("reader") });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: name, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  try {
    await waitFor(() => messages.length >= expected, { what: `${expected} messages on ${name}` });
    // Anything beyond what was expected would show up now.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

const caughtUp = (projector: { lag(): Promise<number> }) =>
  waitFor(async () => (await projector.lag()) === 0, { what: "projection caught up", timeoutMs: 60_000 });

describe("fact path: HTTP edge to Kafka", () => {
  let serving: Serving;
  let url: string;

  async function startEdge(ledger: Ledger) {
    const producer = usageProducer(ledger, topic);
    serving = await serve(
      createHttpApp({
        logger: ledger.logger,
        bodyLimit: "1mb",
        routes: (router) => usageRoutes(router, producer),
      }),
      { port: 0, host: "127.0.0.1" },
    );
    url = `http://127.0.0.1:${serving.port}`;
  }

  afterEach(async () => {
    await serving?.close();
  });

  const post = (account: string, body: unknown, token = `account:${account}`) =>
    fetch(`${url}/accounts/${account}/usage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it("answers 202 once the broker acknowledged the batch, keyed by account, in wire format", async () => {
    const ledger = await harness.ledger();
    await provisionUsage(ledger, topic);
    await startEdge(ledger);
    const batch = facts(100, { accounts: 1 });

    const response = await post("acc-0", { facts: batch });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 100 });

    const messages = await readTopic(ledger, topic, 100);
    expect(messages).toHaveLength(100);
    const first = messages.find((m) => readHeader(m.headers, Headers.eventId) === "k-0") as KafkaMessage;
    expect(first.key?.toString()).toBe("acc-0");
    expect(readHeader(first.headers, Headers.tenantId)).toBe("acc-0");
    expect(first.value?.readUInt8(0)).toBe(0);
    expect(await ledger.serde.decode(first.value as Buffer)).toEqual(batch[0]);
  });

  it("refuses a batch with bad records as a whole, naming each record and field; nothing is produced", async () => {
    const ledger = await harness.ledger();
    await provisionUsage(ledger, topic);
    await startEdge(ledger);
    const batch: unknown[] = facts(5, { accounts: 1 });
    batch[1] = { ...(batch[1] as Usage), quantity: "many" };
    batch[3] = { ...(batch[3] as Usage), account_id: "acc-other" };

    const response = await post("acc-0", { facts: batch });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await response.json()) as { code: string; errors: { index: number; path: string }[] };
    expect(problem.code).toBe("invalid_batch");
    expect(problem.errors.map(({ index, path }) => ({ index, path }))).toEqual([
      { index: 1, path: "quantity" },
      { index: 3, path: "account_id" },
    ]);

    const tooMany = await post("acc-0", { facts: facts(501, { accounts: 1 }) });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { code: string }).code).toBe("batch_too_large");

    const empty = await post("acc-0", { facts: [] });
    expect(((await empty.json()) as { code: string }).code).toBe("invalid_batch");

    const anonymous = await fetch(`${url}/accounts/acc-0/usage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ facts: facts(1, { accounts: 1 }) }),
    });
    expect(anonymous.status).toBe(401);

    // Only the valid batch below reaches the topic.
    expect((await post("acc-0", { facts: facts(2, { accounts: 1, prefix: "ok" }) })).status).toBe(202);
    const messages = await readTopic(ledger, topic, 2);
    expect(messages.map((m) => readHeader(m.headers, Headers.eventId)).sort()).toEqual(["ok-0", "ok-1"]);
  });
});

describe("batch projector", () => {
  it("counts duplicates and redeliveries once, and reports them on /metrics", async () => {
    const ledger = await harness.ledger();
    await provisionUsage(ledger, topic);
    const producer = usageProducer(ledger, topic);
    const batch = facts(400);
    await producer.send(batch);
    await producer.send(batch.slice(0, 50)); // a client retrying what it already sent

    const registry = new Registry();
    const name = uniqueName("usage-projection");
    const projector = usageProjector(ledger, name, { topic, registry, maxRun: 64 });
    await projector.start();
    await caughtUp(projector);
    expect(projector.stats).toEqual({ applied: 400, duplicate: 50, dead_lettered: 0 });

    // Redelivery: the stored offsets go back to 0, as after a restore of the projection's database.
    await projector.stop();
    await ledger.db.$executeRawUnsafe(
      "UPDATE platform_consumer_offsets SET next_offset = 0 WHERE consumer_group = $1",
      name,
    );
    await projector.start();
    await caughtUp(projector);
    await projector.stop();
    expect(projector.stats).toEqual({ applied: 400, duplicate: 500, dead_lettered: 0 });

    const { rows, totals } = await usageRows(ledger);
    expect(rows).toHaveLength(400);
    const expected = new Map<string, number>();
    for (const usage of batch)
      expected.set(usage.account_id, (expected.get(usage.account_id) ?? 0) + usage.quantity);
    expect(totals.map((t) => [t.accountId, Number(t.quantity), Number(t.events)])).toEqual(
      [...expected.entries()].sort().map(([account, quantity]) => [account, quantity, 100]),
    );

    // What operators scrape: the kit's /metrics route over the projector's registry.
    const serving = await serve(
      createHttpApp({ logger: ledger.logger, routes: (router) => usageRoutes(router, producer, registry) }),
      { port: 0, host: "127.0.0.1" },
    );
    const response = await fetch(`http://127.0.0.1:${serving.port}/metrics`);
    await serving.close();
    expect(response.headers.get("content-type")).toContain("text/plain");
    const metrics = await response.text();
    expect(metrics).toContain(`projection_events_total{projection="${name}",outcome="applied"} 400`);
    expect(metrics).toContain(`projection_events_total{projection="${name}",outcome="duplicate"} 500`);
    expect(metrics).toContain(`projection_lag_events{projection="${name}"} 0`);
  });

  it("dead-letters a poison record out of a run alone, with its reason, and applies the rest", async () => {
    const ledger = await harness.ledger();
    await provisionUsage(ledger, topic, 1);
    const producer = usageProducer(ledger, topic);
    // Valid Avro (a long), refused by the read model's INTEGER column: the whole INSERT fails.
    const batch = facts(100, { quantity: (i) => (i === 37 ? 2 ** 40 : 1) });
    await producer.send(batch);

    const name = uniqueName("usage-poison");
    const projector = usageProjector(ledger, name, { topic, maxRun: 100 });
    await projector.start();
    await caughtUp(projector);
    await projector.stop();

    expect(projector.stats).toEqual({ applied: 99, duplicate: 0, dead_lettered: 1 });
    const { rows } = await usageRows(ledger);
    expect(rows).toHaveLength(99);
    expect(rows.some((row) => row.idempotencyKey === "k-37")).toBe(false);
    const [letter, ...more] = await readTopic(ledger, deadLetterTopicFor(name), 1);
    expect(more).toHaveLength(0);
    expect(readHeader(letter?.headers, Headers.eventId)).toBe("k-37");
    expect(readHeader(letter?.headers, Headers.deadLetterOffset)).toBe("37");
    expect(readHeader(letter?.headers, Headers.deadLetterReason)).toMatch(/^apply: .*integer out of range/s);
  });

  it("a projector killed mid-run and restarted loses nothing and doubles nothing", async () => {
    const ledger = await harness.ledger();
    await provisionUsage(ledger, topic);
    const total = 3_000;
    const batch = facts(total, { accounts: 7 });
    const producer = usageProducer(ledger, topic);
    for (let i = 0; i < total; i += 500) await producer.send(batch.slice(i, i + 500));

    const env = { USAGE_TOPIC: topic, PROJECTION_NAME: uniqueName("usage-killed"), MAX_RUN: "100" };
    const { child: first } = await harness.spawn("run-usage-projector", { ...env, APPLY_DELAY_MS: "150" });
    await waitFor(async () => (await ledger.db.ledgerUsage.count()) >= 300 || undefined, {
      what: "300 applied",
    });
    first.kill("SIGKILL");
    await exited(first);
    expect(await ledger.db.ledgerUsage.count()).toBeLessThan(total);

    await harness.spawn("run-usage-projector", { ...env, APPLY_DELAY_MS: "0" });
    await waitFor(async () => (await ledger.db.ledgerUsage.count()) >= total || undefined, {
      what: `${total} applied`,
      timeoutMs: 60_000,
    });
    const { rows, totals } = await usageRows(ledger);
    expect(rows).toHaveLength(total);
    expect(totals.reduce((sum, t) => sum + Number(t.events), 0)).toBe(total);
    expect(totals.reduce((sum, t) => sum + Number(t.quantity), 0)).toBe((total * (total + 1)) / 2);
  });

  it("a rebuild from offset 0 through the batch path equals the live read model", async () => {
    const ledger = await harness.ledger();
    await provisionUsage(ledger, topic);
    const producer = usageProducer(ledger, topic);
    const batch = facts(1_000, { accounts: 5 });
    await producer.send(batch);
    await producer.send(batch.slice(200, 300));

    const projector = usageProjector(ledger, uniqueName("usage-rebuild"), { topic, progressIntervalMs: 50 });
    await projector.start();
    await caughtUp(projector);
    const live = await usageRows(ledger);
    expect(live.rows).toHaveLength(1_000);

    const rebuilt = await projector.rebuild(resetUsage);
    await projector.stop();
    expect(rebuilt.events).toBe(1_100);
    expect(await usageRows(ledger)).toEqual(live);
  });
});
