/**
 * usage's ingest path end to end, beside its physical reference in the same run (issue #13):
 *   HTTP POST …/usage/batch with an API key's token → usage.ingest → the usage count (batch projector)
 *   → counted rows in usage_events, sustained for --seconds
 * then Kafka's ProducerPerformance (the reference of bench:facts, docs/benchmarks.md) with records of the
 * same size on a topic of usage.ingest's partitions, acks=all. Prints events/s accepted at the edge,
 * counted/s, the count's lag at the end, request latency and the CPU cores each process kept busy.
 *   pnpm --filter @platform/usage bench:ingest [-- --seconds 60 --batch 200 --connections 16 --accounts 20]
 * The service runs in its own process (test/support/run-usage.ts) as main.ts runs it (edge, relay and read models on
 * the main thread, the count in its worker thread: USAGE_COUNT=thread; `USAGE_COUNT=inline` in the bench's environment
 * puts it back on the main thread); its database and topics are the bench's own and dropped at the end. Load goes only to
 * 127.0.0.1. Asserts nothing.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { generateSigningKey, signAccessToken } from "@platform/auth";
import { createTestTopics, IdentityEvent, testEventPublisher } from "@platform/contracts";
import { AvroSerde, avroTypeOf, createProducer, ensureTopics } from "@platform/messaging";
import { createTestDatabase, infrastructure, uniqueName, waitFor } from "@platform/testkit";
import { Client } from "pg";
import { Pool } from "undici";
import { kafkaTool } from "../../../packages/event-sourcing/bench/kafka-tools";
import {
  type Cpu,
  cpuLine,
  machineLine,
  percentile,
  pidsMatching,
  procStatus,
  snapshot,
} from "../../../packages/event-sourcing/bench/proc";
import { projectedSchemas, reportedSchema, SYSTEM_ACTOR, USAGE_REPORTED } from "../src/domain/events";
import { METERS } from "../src/domain/meters";
import { readUsageEvent, reportedRecord } from "../src/domain/usage-events";
import { MIGRATIONS_DIR } from "../src/service";
import { spawnUsage, stopUsage } from "../test/support/process";
import { arg } from "./load";
import { startTrial } from "./trial";

const SECONDS = arg("seconds", 60);
const BATCH = arg("batch", 200);
const CONNECTIONS = arg("connections", 16);
const ACCOUNTS = arg("accounts", 20);
const REFERENCE_RECORDS = arg("reference-records", 200_000);
const DAY = 86_400_000;

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const perSecond = (count: number, ms: number) => (count / ms) * 1000;

/** A batch body built as a string (the load generator's CPU is on the same machine as the edge's). */
function body(runId: string, first: number): string {
  const events: string[] = [];
  for (let i = first; i < first + BATCH; i++)
    events.push(
      `{"metric":"api_calls","quantity":${(i % 7) + 1},"idempotency_key":"${runId}-${i}","dimensions":{"route":"/v1/items/${i % 13}"}}`,
    );
  return `{"events":[${events.join(",")}]}`;
}

interface Load {
  accepted: number;
  ms: number;
  latencies: number[];
  failures: Map<number, number>;
}

/** `CONNECTIONS` loops sending batches round-robin over the organizations until `maxEvents` or `maxMs`. */
async function load(
  url: string,
  orgs: { accountId: string; token: string }[],
  runId: string,
  maxEvents: number,
  maxMs: number,
): Promise<Load> {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const result: Load = { accepted: 0, ms: 0, latencies: [], failures: new Map() };
  let next = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  const worker = async () => {
    while (next < maxEvents && performance.now() < deadline) {
      const first = next;
      next += BATCH;
      const org = orgs[(first / BATCH) % orgs.length] as (typeof orgs)[number];
      const sent = performance.now();
      const response = await pool.request({
        path: `/v1/organizations/${org.accountId}/usage/batch`,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${org.token}` },
        body: body(runId, first),
      });
      await response.body.dump();
      result.latencies.push(performance.now() - sent);
      if (response.statusCode === 202) result.accepted += BATCH;
      else result.failures.set(response.statusCode, (result.failures.get(response.statusCode) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  result.ms = performance.now() - started;
  await pool.close();
  return result;
}

async function main(): Promise<void> {
  const infra = infrastructure();
  const db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "usage_test" });
  const prefix = uniqueName("bench-usage");
  const { kafka, topics } = await createTestTopics({
    brokers: infra.kafkaBrokers,
    registryUrl: infra.schemaRegistryUrl,
    prefix,
    clientId: "usage-bench",
    topics: {
      usage: "usage.events",
      ingest: "usage.ingest",
      billing: "billing.events",
      tenancy: "tenancy.events",
      identity: "identity.events",
    },
  });
  const group = `${prefix}.read-models`;
  const producer = createProducer(kafka);
  await producer.connect();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  let service: ChildProcess | undefined;
  try {
    console.log(machineLine());
    console.log(
      `${SECONDS} s, batches of ${BATCH} events, ${CONNECTIONS} connections, ${ACCOUNTS} organizations, API-key tokens, count on ${process.env.USAGE_COUNT === "inline" ? "the main thread" : "its own thread"}`,
    );

    // Play identity and billing: a signing key usage trusts, and a trial period per organization.
    const publish = testEventPublisher({
      producer,
      serde: AvroSerde.connect(infra.schemaRegistryUrl),
      topics,
      schemas: projectedSchemas,
      defaults: () => ({ occurred_at: Date.now(), actor: SYSTEM_ACTOR }),
      tenantOf: (data) => (typeof data.account_id === "string" ? data.account_id : null),
    });
    const key = await generateSigningKey();
    await publish("identity", IdentityEvent.SigningKeyPublished, `signing_key:${key.kid}`, {
      key_id: key.kid,
      algorithm: "EdDSA",
      public_key_jwk: JSON.stringify(key.publicJwk),
      not_before: Date.now() - 60_000,
    });
    const orgs: { accountId: string; token: string }[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const accountId = await startTrial(publish, Date.now() - DAY, { api_calls: -1 });
      const token = await signAccessToken(
        key.privateKey,
        key.kid,
        {
          typ: "api_key",
          sub: `key_${randomBytes(8).toString("hex")}`,
          acct: accountId,
          scope: ["usage.write"],
        },
        // The bench outlives a token's default lifetime on a loaded machine.
        { now: new Date(), ttlSeconds: 3600 },
      );
      orgs.push({ accountId, token });
    }

    const spawned = await spawnUsage({
      DATABASE_URL: db.url,
      USAGE_EVENTS_TOPIC: topics.usage,
      USAGE_INGEST_TOPIC: topics.ingest,
      BILLING_EVENTS_TOPIC: topics.billing,
      TENANCY_EVENTS_TOPIC: topics.tenancy,
      IDENTITY_EVENTS_TOPIC: topics.identity,
      READ_MODEL_GROUP: group,
      LOG_LEVEL: "error",
    });
    service = spawned.child;
    const port = spawned.port;
    const url = `http://127.0.0.1:${port}`;
    const counted = async () => {
      const { rows } = await pg.query<{ n: string | null }>(
        "SELECT sum(next_offset) AS n FROM platform_consumer_offsets WHERE consumer_group = $1",
        [`${group}.count`],
      );
      return Number(rows[0]?.n ?? 0);
    };

    // Warm up: the read models learn the key and the periods, the count joins its group, JIT.
    await waitFor(
      async () => {
        const warm = await load(url, orgs, uniqueName("warm"), BATCH * orgs.length, 10_000);
        return warm.accepted === BATCH * orgs.length || undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        what: "the usage process to accept every organization's events",
      },
    );
    const warmed = BATCH * orgs.length;
    await waitFor(async () => (await counted()) >= warmed || undefined, {
      timeoutMs: 120_000,
      what: "the count to apply the warm-up",
    });

    const database = new URL(db.url).pathname.slice(1);
    const groups: Cpu = {
      usage: () => [service?.pid as number],
      kafka: () => pidsMatching(/kafka\.Kafka /),
      registry: () => pidsMatching(/apicurio/),
      postgres: () =>
        pidsMatching(new RegExp(`^postgres: (walwriter|checkpointer|background writer|.* ${database} )`)),
      "bench (load)": () => [process.pid],
    };
    const countedBefore = await counted();
    const before = snapshot(groups);
    const run = await load(url, orgs, uniqueName("run"), Number.MAX_SAFE_INTEGER, SECONDS * 1_000);
    const countedAfter = await counted();
    const cpu = cpuLine(groups, before, run.ms);
    const lag = warmed + run.accepted - countedAfter;
    const catchUp = performance.now();
    await waitFor(async () => (await counted()) >= warmed + run.accepted || undefined, {
      timeoutMs: 600_000,
      what: "the count to catch up",
    });
    const catchUpMs = performance.now() - catchUp;
    const sorted = [...run.latencies].sort((a, b) => a - b);
    const acceptedRate = perSecond(run.accepted, run.ms);
    const countedRate = perSecond(countedAfter - countedBefore, run.ms);
    const failures = [...run.failures].map(([status, n]) => `${n}× ${status}`).join(", ") || "none";
    console.log(
      `edge     accepted ${fmt(acceptedRate)} events/s (${fmt(run.accepted)} in ${(run.ms / 1000).toFixed(1)} s; failed requests: ${failures}); request p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    );
    console.log(
      `count    counted ${fmt(countedRate)} events/s during the run; lag at the end ${fmt(lag)} (caught up ${(catchUpMs / 1000).toFixed(1)} s later)`,
    );
    console.log(
      `cpu      cores busy: ${cpu}; load average at the end ${loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}`,
    );
    console.log(`rss      usage process peak ${procStatus(service.pid as number, "VmHWM").toFixed(0)} MiB`);

    // The reference, right after on the same broker: records of the counted events' size, acks=all.
    const referenceTopic = uniqueName("bench.usage.reference");
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [topics.ingest] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    await ensureTopics(admin, [{ topic: referenceTopic, partitions: partitions.length }]);
    await admin.disconnect();
    const size = recordSize(orgs[0]?.accountId as string);
    const tool = await kafkaTool("ProducerPerformance", [
      "--topic",
      referenceTopic,
      "--num-records",
      String(REFERENCE_RECORDS),
      "--record-size",
      String(size),
      "--throughput",
      "-1",
      "--command-property",
      `bootstrap.servers=${infra.kafkaBrokers.join(",")}`,
      "acks=all",
    ]);
    const toolRate = Number(/([\d.]+) records\/sec/.exec(tool)?.[1]);
    console.log(
      `ref      ProducerPerformance ${fmt(toolRate)} records/s (${fmt(REFERENCE_RECORDS)} records of ${size} B, ${partitions.length} partitions) → counted/s is ${((countedRate / toolRate) * 100).toFixed(0)} % of it`,
    );
    // The figures the target is read from, on one line: sent at the edge, counted end to end
    // (visible in Postgres within the window: the count's offsets commit with its rows), lag, reference.
    console.log(
      `summary  sent ${fmt(acceptedRate)}/s, counted ${fmt(countedRate)}/s (${((countedRate / acceptedRate) * 100).toFixed(0)} % of sent), lag at the end ${fmt(lag)}, ProducerPerformance ${fmt(toolRate)}/s; target ≥ 10,000 counted/s for ${SECONDS} s: ${countedRate >= 10_000 ? "met" : "not met"}`,
    );
  } finally {
    if (service) await stopUsage(service);
    await pg.end();
    await producer.disconnect();
    await db.drop();
  }
}

/** Bytes of one counted event as the edge puts it on usage.ingest: key, Avro value (+5 framing), headers. */
function recordSize(accountId: string): number {
  const event = (JSON.parse(body("run-000000000000", 100_000)) as { events: unknown[] }).events[0];
  const { usage } = readUsageEvent(event, { meters: METERS, now: Date.now(), maxFutureMs: 3_600_000 });
  if (!usage) throw new Error("the bench's event is not a valid usage event");
  const actor = { type: "api_key", id: "key_0123456789abcdef", ip_address: "127.0.0.1", user_agent: null };
  const value = 5 + avroTypeOf(reportedSchema).toBuffer(reportedRecord(accountId, usage, actor)).length;
  const headers = [usage.idempotencyKey, USAGE_REPORTED, accountId, "event-id", "event-type", "tenant-id"];
  return value + accountId.length + headers.reduce((sum, text) => sum + text.length, 0);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
