/**
 * The seven proofs of the event-sourcing kit (issue #2 §4), against the real broker, registry and
 * Postgres, with a tiny ledger service as the fixture. Proof 7 (broker restart) is in
 * broker-restart.test.ts because it runs its own broker.
 */
import { context, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { ConcurrencyConflictError } from "@platform/errors";
import { deadLetterTopicFor, Headers, readHeader, subjectFor } from "@platform/messaging";
import { uniqueName, waitFor } from "@platform/testkit";
import type { KafkaMessage } from "kafkajs";
import { catalog, FundsDeposited, resetReadModels } from "./fixture/src/ledger";
import { exited, LedgerHarness, projection, relayAll, waitForDeposits } from "./ledger-harness";

let harness: LedgerHarness;

beforeEach(async () => {
  harness = await LedgerHarness.create();
});

afterEach(async () => {
  await harness.close();
});

async function depositMany(
  ledger: Awaited<ReturnType<LedgerHarness["ledger"]>>,
  accountId: string,
  count: number,
) {
  for (let amount = 1; amount <= count; amount++) await ledger.deposit(accountId, amount);
}

const sumTo = (n: number) => (n * (n + 1)) / 2;
const depositSchema = catalog.get(FundsDeposited).schema;

async function readTopic(
  ledger: Awaited<ReturnType<LedgerHarness["ledger"]>>,
  topic: string,
  expected: number,
) {
  const consumer = ledger.kafka.consumer({ groupId: uniqueName("reader") });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  try {
    await waitFor(() => messages.length >= expected, { what: `${expected} messages on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

describe("event sourcing proofs", () => {
  it("1. an event appended in one process arrives in a projection owned by another process", async () => {
    const writer = await harness.ledger();
    await writer.provision();
    const projectionDb = await harness.otherDatabase();
    await harness.spawn("run-projector", { DATABASE_URL: projectionDb });

    await writer.openAccount("acc-1", "Ada");
    await writer.deposit("acc-1", 42);
    await relayAll(writer);

    const reader = await harness.ledger(projectionDb);
    await waitForDeposits(reader, 1);
    const { accounts, deposits } = await projection(reader);
    expect(accounts).toEqual([{ id: "acc-1", owner: "Ada", balance: 42, deposits: 1 }]);
    expect(deposits).toEqual([expect.objectContaining({ accountId: "acc-1", version: 2, amount: 42 })]);
    // The writer's own database never saw a read-model row: the projection lives elsewhere.
    expect(await writer.db.ledgerAccount.count()).toBe(0);
  });

  it("2. a relay that dies after the commit, before or after publishing, loses nothing and duplicates nothing", async () => {
    const writer = await harness.ledger();
    await writer.provision();
    await writer.openAccount("acc-2", "Grace");
    await depositMany(writer, "acc-2", 20);

    // Crash after Kafka acknowledged the batch, before it was marked published.
    const { child: crashing } = await harness.spawn("run-relay", { CRASH_AFTER_SEND: "1" });
    expect(await exited(crashing)).toBe(137);
    const unpublished = await writer.db.platformEvent.count({ where: { publishedAt: null } });
    expect(unpublished).toBe(21);

    // Events committed while no relay runs are published when one comes back.
    await writer.deposit("acc-2", 21);
    const { child: restarted } = await harness.spawn("run-relay");
    await waitFor(async () => (await writer.db.platformEvent.count({ where: { publishedAt: null } })) === 0, {
      what: "every event marked published",
    });
    restarted.kill("SIGTERM");
    await exited(restarted);

    // The topic really holds the batch twice...
    const onTopic = await readTopic(writer, harness.env.topic, 43);
    expect(onTopic).toHaveLength(43);

    // ...and the projection holds each event exactly once.
    const projector = writer.projector(uniqueName("ledger-projection"));
    await projector.start();
    await waitForDeposits(writer, 21);
    await waitFor(async () => (await projector.lag()) === 0, { what: "projector caught up" });
    await projector.stop();
    const { accounts, deposits } = await projection(writer);
    expect(accounts).toEqual([{ id: "acc-2", owner: "Grace", balance: sumTo(21), deposits: 21 }]);
    expect(deposits.map((d) => d.amount)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(projector.stats.duplicate).toBe(21);
  });

  it("3. a projector killed mid-batch and restarted applies nothing twice and loses nothing", async () => {
    const writer = await harness.ledger();
    await writer.provision(1);
    await writer.openAccount("acc-3", "Linus");
    const total = 300;
    await depositMany(writer, "acc-3", total);
    await relayAll(writer);

    const projectionDb = await harness.otherDatabase();
    const reader = await harness.ledger(projectionDb);
    const env = { DATABASE_URL: projectionDb, PROJECTION_NAME: "ledger-killed", APPLY_DELAY_MS: "15" };
    const { child: first } = await harness.spawn("run-projector", env);
    await waitFor(async () => (await reader.db.ledgerDeposit.count()) >= 30 || undefined, {
      what: "30 applied",
    });
    first.kill("SIGKILL");
    await exited(first);
    const appliedBeforeKill = await reader.db.ledgerDeposit.count();
    expect(appliedBeforeKill).toBeLessThan(total);

    await harness.spawn("run-projector", { ...env, APPLY_DELAY_MS: "0" });
    await waitForDeposits(reader, total);
    const { accounts, deposits } = await projection(reader);
    expect(accounts).toEqual([{ id: "acc-3", owner: "Linus", balance: sumTo(total), deposits: total }]);
    expect(deposits.map((d) => [d.version, d.amount])).toEqual(
      Array.from({ length: total }, (_, i) => [i + 2, i + 1]),
    );
  });

  it("4. dropping a read model and rebuilding it from offset 0 yields equal rows", async () => {
    const writer = await harness.ledger();
    await writer.provision();
    for (const id of ["acc-a", "acc-b", "acc-c", "acc-d"]) {
      await writer.openAccount(id, `owner of ${id}`);
      await depositMany(writer, id, 10);
    }
    await relayAll(writer);

    const projector = writer.projector(uniqueName("ledger-rebuild"));
    await projector.start();
    await waitForDeposits(writer, 40);
    await waitFor(async () => (await projector.lag()) === 0, { what: "caught up" });
    const original = await projection(writer);

    await projector.rebuild(resetReadModels);
    expect(await writer.db.ledgerDeposit.count()).toBeLessThan(40);
    await waitForDeposits(writer, 40);
    await waitFor(async () => (await projector.lag()) === 0, { what: "rebuild caught up" });
    await projector.stop();
    expect(await projection(writer)).toEqual(original);
    expect(original.accounts).toHaveLength(4);
  });

  it("5. a poison message is dead-lettered with its reason and later messages are still applied", async () => {
    const writer = await harness.ledger();
    await writer.provision(1);
    await writer.openAccount("acc-5", "Barbara");
    await relayAll(writer);

    const headers = (version: number, type = FundsDeposited) => ({
      [Headers.eventId]: `00000000-0000-4000-8000-00000000000${version}`,
      [Headers.eventType]: type,
      [Headers.aggregateId]: "acc-5",
      [Headers.aggregateVersion]: String(version),
    });
    // Not Avro at all; then valid Avro the handler refuses (a negative deposit).
    await writer.producer.send({
      topic: harness.env.topic,
      messages: [{ key: "acc-5", value: Buffer.from("not avro"), headers: headers(2) }],
    });
    const refused = await writer.serde.encode(subjectFor(harness.env.topic, FundsDeposited), depositSchema, {
      account_id: "acc-5",
      amount: -5,
    });
    await writer.producer.send({
      topic: harness.env.topic,
      messages: [{ key: "acc-5", value: refused, headers: headers(3) }],
    });
    await writer.deposit("acc-5", 7, 1);
    await relayAll(writer);

    const group = uniqueName("ledger-poison");
    const projector = writer.projector(group);
    await projector.start();
    await waitForDeposits(writer, 1);
    await projector.stop();

    const { accounts } = await projection(writer);
    expect(accounts).toEqual([{ id: "acc-5", owner: "Barbara", balance: 7, deposits: 1 }]);
    const letters = await readTopic(writer, deadLetterTopicFor(group), 2);
    expect(letters.map((m) => readHeader(m.headers, Headers.deadLetterReason))).toEqual([
      expect.stringMatching(/^decode: /),
      expect.stringMatching(/^apply: negative_deposit: a deposit cannot be negative/),
    ]);
    expect(letters[0]?.value?.toString()).toBe("not avro");
    expect(readHeader(letters[1]?.headers, Headers.deadLetterErrorCode)).toBe("negative_deposit");
    expect(readHeader(letters[1]?.headers, Headers.deadLetterTopic)).toBe(harness.env.topic);
    expect(projector.stats["dead-lettered"]).toBe(2);
  });

  it("6. of concurrent commands on one aggregate one wins, the others conflict, and versions have no gap", async () => {
    const writer = await harness.ledger();
    await writer.openAccount("acc-6", "Edsger");
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => writer.deposit("acc-6", i + 1, 1)),
    );
    const won = attempts.filter((a) => a.status === "fulfilled");
    const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const failure of lost) expect(failure.reason).toBeInstanceOf(ConcurrencyConflictError);

    // Unforced: each retries on fresh state until it lands.
    await Promise.all(Array.from({ length: 5 }, () => retryOnConflict(() => writer.deposit("acc-6", 1))));
    const versions = await writer.db.platformEvent.findMany({
      where: { aggregateId: "acc-6" },
      select: { version: true },
      orderBy: { version: "asc" },
    });
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("tracing", () => {
  it("one trace follows a command through the event store, the relay and Kafka into a projection", async () => {
    const writer = await harness.ledger();
    await writer.provision();
    await writer.openAccount("acc-t", "Tracy");
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const requestContext = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    // As if an HTTP request carrying this traceparent had run the command.
    await context.with(requestContext, () => writer.deposit("acc-t", 1));
    await relayAll(writer);

    expect(await traceIdsSeenByProjection(writer)).toEqual([traceId]);
  });

  it("an HTTP request's traceparent reaches the projection through the service's own process", async () => {
    const writer = await harness.ledger();
    await writer.provision();
    await writer.openAccount("acc-h", "Hedy");
    const { ready } = await harness.spawn("run-http");
    const { port } = ready as { port: number };
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const response = await fetch(`http://127.0.0.1:${port}/accounts/acc-h/deposits`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: JSON.stringify({ amount: 3 }),
    });
    expect(response.status).toBe(202);
    await relayAll(writer);

    expect(await traceIdsSeenByProjection(writer)).toEqual([traceId]);
  });
});

/** Projects the topic once and returns the trace id active in each deposit's handler. */
async function traceIdsSeenByProjection(writer: Awaited<ReturnType<LedgerHarness["ledger"]>>) {
  const seen: (string | undefined)[] = [];
  const projector = writer.projector(uniqueName("ledger-trace"), {
    onDeposit: () => seen.push(trace.getActiveSpan()?.spanContext().traceId),
  });
  await projector.start();
  await waitForDeposits(writer, 1);
  await projector.stop();
  return seen;
}

async function retryOnConflict(command: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      return await command();
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
    }
  }
}
