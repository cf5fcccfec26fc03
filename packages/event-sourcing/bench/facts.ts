/**
 * The fact path against its physical references, side by side in one run on the running
 * infrastructure (issue #11):
 *   produce    HTTP batches of 100 → edge process → Kafka (acks -1)  vs Kafka's ProducerPerformance
 *   project    batch projector, topic → Postgres (set-based runs)    vs Kafka's ConsumerPerformance
 *   rebuild    the same projection from offset 0                     vs Postgres COPY of the same rows
 *   end to end HTTP → Kafka → read model, sustained                   vs ProducerPerformance
 * with p50/p99 request latency, lag at the end, peak RSS and CPU seconds of each process.
 *   pnpm bench:facts [-- --records 200000 --seconds 60 --connections 16 --batch 100]
 * Load goes only to 127.0.0.1, bounded by --records and --seconds. Prints figures; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureTopics } from "@platform/messaging";
import { uniqueName, waitFor } from "@platform/testkit";
import { Pool } from "undici";
import type { Ledger } from "../test/fixture/src/ledger";
import { provisionUsage, resetUsage, usageProducer, usageProjector } from "../test/fixture/src/usage";
import { LedgerHarness } from "../test/ledger-harness";
import { kafkaTool } from "./kafka-tools";
import { type Cpu, cpuLine, machineLine, percentile, pidsMatching, procStatus, snapshot } from "./proc";

const { values } = parseArgs({
  // pnpm passes the "--" that separates its own options through.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    records: { type: "string", default: "200000" },
    seconds: { type: "string", default: "60" },
    connections: { type: "string", default: "16" },
    batch: { type: "string", default: "100" },
  },
});
const RECORDS = Number(values.records);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const BATCH = Number(values.batch);
const PARTITIONS = 3;
const ACCOUNTS = 50;

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
const fmt = (n: number) => n.toLocaleString("en-US");
const pct = (numerator: number, denominator: number) => `${((numerator / denominator) * 100).toFixed(0)} %`;

/** A batch body of `BATCH` facts starting at `first`, built as a string: the load generator's CPU is the edge's too. */
function body(account: string, runId: string, first: number): string {
  const facts: string[] = [];
  for (let i = first; i < first + BATCH; i++) {
    facts.push(
      `{"account_id":"${account}","idempotency_key":"${runId}-${i}","metric":"api_calls","quantity":${(i % 7) + 1},"recorded_at":${1_780_000_000_000 + i}}`,
    );
  }
  return `{"facts":[${facts.join(",")}]}`;
}

interface LoadResult {
  events: number;
  ms: number;
  latencies: number[];
  failures: number;
}

/** Sends batches from `connections` concurrent loops until `maxEvents` are sent or `maxMs` passed. */
async function load(port: number, runId: string, maxEvents: number, maxMs: number): Promise<LoadResult> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  const worker = async () => {
    while (next < maxEvents && performance.now() < deadline) {
      const first = next;
      next += BATCH;
      const account = `acc-${(first / BATCH) % ACCOUNTS}`;
      const sent = performance.now();
      const response = await pool.request({
        path: `/accounts/${account}/usage`,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer account:${account}` },
        body: body(account, runId, first),
      });
      await response.body.dump();
      latencies.push(performance.now() - sent);
      if (response.statusCode !== 202) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const ms = performance.now() - started;
  await pool.close();
  return { events: latencies.length * BATCH - failures * BATCH, ms, latencies, failures };
}

// ---- the projection's progress, from its stored offsets ----

async function appliedOffsets(ledger: Ledger, group: string): Promise<number> {
  const [row] = await ledger.db.$queryRawUnsafe<{ n: bigint | null }[]>(
    "SELECT sum(next_offset) AS n FROM platform_consumer_offsets WHERE consumer_group = $1",
    group,
  );
  return Number(row?.n ?? 0);
}

async function main(): Promise<void> {
  const harness = await LedgerHarness.create();
  const ledger = await harness.ledger();
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  try {
    const edgeTopic = uniqueName("bench.usage");
    const e2eTopic = uniqueName("bench.usage.e2e");
    const referenceTopic = uniqueName("bench.reference");
    await provisionUsage(ledger, edgeTopic, PARTITIONS);
    await provisionUsage(ledger, e2eTopic, PARTITIONS);
    const admin = ledger.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: referenceTopic, partitions: PARTITIONS }]);
    await admin.disconnect();

    const database = new URL(harness.env.databaseUrl).pathname.slice(1);
    const infra: Cpu = {
      kafka: () => pidsMatching(/kafka\.Kafka /),
      registry: () => pidsMatching(/apicurio/),
      // The postmaster's helpers (WAL writer, checkpointer: the fsyncs) and this run's backends only:
      // other test runs on the machine use the same server.
      postgres: () =>
        pidsMatching(new RegExp(`^postgres: (walwriter|checkpointer|background writer|.* ${database} )`)),
      bench: () => [process.pid],
    };

    say(machineLine());
    say(
      `records ${fmt(RECORDS)}, batches of ${BATCH}, ${CONNECTIONS} connections, ${PARTITIONS} partitions, ${ACCOUNTS} accounts`,
    );

    // ---- 1. produce from the HTTP edge ----
    const { child: edge, ready } = await harness.spawn("run-usage-http", { USAGE_TOPIC: edgeTopic });
    const port = (ready as { port: number }).port;
    await load(port, "warm", 2_000, 10_000); // registry lookup, connections, JIT
    const groups1 = { ...infra, edge: () => [edge.pid as number] };
    let before = snapshot(groups1);
    const produced = await load(port, "edge", RECORDS, 600_000);
    const cpuProduce = cpuLine(groups1, before, produced.ms);
    const sorted = [...produced.latencies].sort((a, b) => a - b);
    const edgeRate = rate(produced.events, produced.ms);
    const onTopic = produced.events + 2_000;

    // Same number of records of the same size, on a topic with the same partitions, acks=all.
    const recordSize = recordBytes(ledger, edgeTopic);
    const producerTool = await kafkaTool("ProducerPerformance", [
      "--topic",
      referenceTopic,
      "--num-records",
      String(RECORDS),
      "--record-size",
      String(recordSize),
      "--throughput",
      "-1",
      "--command-property",
      `bootstrap.servers=${harness.env.kafkaBrokers.join(",")}`,
      "acks=all",
    ]);
    const producerToolRate = Number(/([\d.]+) records\/sec/.exec(producerTool)?.[1]);
    say(
      `produce  HTTP edge ${fmt(edgeRate)} events/s (${fmt(produced.events)} in ${(produced.ms / 1000).toFixed(1)} s, ${produced.failures} failed); request p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    );
    say(
      `         ProducerPerformance ${fmt(Math.round(producerToolRate))} records/s (${recordSize} B) → ratio ${pct(edgeRate, producerToolRate)}`,
    );
    say(`         CPU cores busy: ${cpuProduce}`);

    // ---- 2. batch projection of what the edge produced, in its own process ----
    const group = uniqueName("bench-usage-projection");
    before = snapshot(infra);
    const { child: projectorChild } = await harness.spawn("run-usage-projector", {
      USAGE_TOPIC: edgeTopic,
      PROJECTION_NAME: group,
    });
    const groups2 = { ...infra, projector: () => [projectorChild.pid as number] };
    await waitFor(async () => (await appliedOffsets(ledger, group)) > 0 || undefined, {
      timeoutMs: 60_000,
      what: "first run applied",
    });
    const firstApplied = await appliedOffsets(ledger, group);
    let started = performance.now();
    before = snapshot(groups2);
    await waitFor(async () => (await appliedOffsets(ledger, group)) >= onTopic || undefined, {
      timeoutMs: 1_200_000,
      intervalMs: 50,
      what: "projection caught up",
    });
    const projectMs = performance.now() - started;
    const cpuProject = cpuLine(groups2, before, projectMs);
    const projectRate = rate(onTopic - firstApplied, projectMs);
    const projectorRss = procStatus(projectorChild.pid as number, "VmHWM");
    projectorChild.kill("SIGTERM");

    const consumerTool = await kafkaTool("ConsumerPerformance", [
      "--bootstrap-server",
      harness.env.kafkaBrokers.join(","),
      "--topic",
      edgeTopic,
      "--messages",
      String(onTopic),
      "--group",
      uniqueName("bench-consumer-tool"),
    ]);
    const consumerToolRate = consumerPerformanceRate(consumerTool);
    say(
      `project  batch projector ${fmt(projectRate)} events/s (${fmt(onTopic - firstApplied)} after its first run, group join excluded)`,
    );
    say(
      `         ConsumerPerformance ${fmt(Math.round(consumerToolRate))} records/s → ratio ${pct(projectRate, consumerToolRate)}`,
    );
    say(`         CPU cores busy: ${cpuProject}`);

    // ---- 3. rebuild from offset 0 (in this process) vs COPY of the same rows ----
    const rebuilder = usageProjector(ledger, group, { topic: edgeTopic, progressIntervalMs: 5_000 });
    before = snapshot(infra);
    const rebuilt = await rebuilder.rebuild(resetUsage);
    const cpuRebuild = cpuLine(infra, before, rebuilt.ms);
    await rebuilder.stop();
    const rebuildRate = rate(rebuilt.events, rebuilt.ms);
    const rows = Number(await ledger.db.ledgerUsage.count());
    const csv = join(tmpdir(), `${uniqueName("bench-usage")}.csv`);
    execFileSync("psql", [
      harness.env.databaseUrl,
      "-qc",
      `\\copy (SELECT account_id, idempotency_key, metric, quantity, recorded_at FROM ledger_usage) TO '${csv}' CSV`,
    ]);
    await ledger.db.$executeRawUnsafe("TRUNCATE ledger_usage, ledger_usage_totals");
    started = performance.now();
    execFileSync("psql", [harness.env.databaseUrl, "-qc", `\\copy ledger_usage FROM '${csv}' CSV`]);
    const copyMs = performance.now() - started;
    const copyRate = rate(rows, copyMs);
    writeFileSync(csv, "");
    say(
      `rebuild  ${fmt(rebuildRate)} events/s (${fmt(rebuilt.events)} in ${(rebuilt.ms / 1000).toFixed(1)} s incl. group join; ${fmt(rows)} rows)`,
    );
    say(
      `         Postgres COPY of the same rows into ledger_usage ${fmt(copyRate)} rows/s → ratio ${pct(rebuildRate, copyRate)}`,
    );
    say(`         CPU cores busy: ${cpuRebuild}`);
    edge.kill("SIGTERM");

    // ---- 4. end to end, sustained: HTTP → Kafka → read model ----
    const e2eGroup = uniqueName("bench-usage-e2e");
    const { child: e2eProjector } = await harness.spawn("run-usage-projector", {
      USAGE_TOPIC: e2eTopic,
      PROJECTION_NAME: e2eGroup,
    });
    const { child: e2eEdge, ready: e2eReady } = await harness.spawn("run-usage-http", {
      USAGE_TOPIC: e2eTopic,
    });
    const e2ePort = (e2eReady as { port: number }).port;
    await load(e2ePort, "warm", 1_000, 10_000);
    await waitFor(async () => (await appliedOffsets(ledger, e2eGroup)) >= 1_000 || undefined, {
      timeoutMs: 60_000,
      what: "e2e projector running",
    });
    const groups4 = {
      ...infra,
      edge: () => [e2eEdge.pid as number],
      projector: () => [e2eProjector.pid as number],
    };
    before = snapshot(groups4);
    const visibleBefore = await appliedOffsets(ledger, e2eGroup);
    const sustained = await load(e2ePort, "e2e", Number.MAX_SAFE_INTEGER, SECONDS * 1_000);
    const visibleAfter = await appliedOffsets(ledger, e2eGroup);
    const cpuE2e = cpuLine(groups4, before, sustained.ms);
    const lagAtEnd = 1_000 + sustained.events - visibleAfter;
    const catchUpStarted = performance.now();
    await waitFor(
      async () => (await appliedOffsets(ledger, e2eGroup)) >= 1_000 + sustained.events || undefined,
      {
        timeoutMs: 600_000,
        what: "e2e projection caught up",
      },
    );
    const catchUpMs = performance.now() - catchUpStarted;
    const e2eSorted = [...sustained.latencies].sort((a, b) => a - b);
    const visibleRate = rate(visibleAfter - visibleBefore, sustained.ms);
    const acceptedRate = rate(sustained.events, sustained.ms);
    say(
      `e2e      ${(sustained.ms / 1000).toFixed(0)} s: accepted ${fmt(acceptedRate)} events/s, visible in the read model ${fmt(visibleRate)} events/s; lag at end ${fmt(lagAtEnd)} (caught up ${(catchUpMs / 1000).toFixed(1)} s later); request p50 ${percentile(e2eSorted, 50).toFixed(1)} ms, p99 ${percentile(e2eSorted, 99).toFixed(1)} ms; ${sustained.failures} failed`,
    );
    say(`         ratio to ProducerPerformance ${pct(visibleRate, producerToolRate)}`);
    say(`         CPU cores busy: ${cpuE2e}`);
    say(
      `rss peak edge ${procStatus(e2eEdge.pid as number, "VmHWM").toFixed(0)} MiB, projector ${projectorRss.toFixed(0)} MiB (e2e ${procStatus(e2eProjector.pid as number, "VmHWM").toFixed(0)} MiB), bench (load generator + rebuild) ${procStatus(process.pid, "VmHWM").toFixed(0)} MiB`,
    );
  } finally {
    await harness.close();
  }
}

/** Bytes of one of the bench's records as the edge puts it on the topic: key, value and header bytes. */
function recordBytes(ledger: Ledger, topic: string): number {
  const fact = (JSON.parse(body("acc-10", "edge", 100_000)) as { facts: Record<string, unknown>[] }).facts[0];
  const producer = usageProducer(ledger, topic);
  const value = 5 + producer.type.toBuffer(fact).length;
  const headers = {
    "event-id": String(fact?.idempotency_key),
    "event-type": producer.typeName,
    "tenant-id": "acc-10",
  };
  const headerBytes = Object.entries(headers).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  return value + "acc-10".length + headerBytes;
}

function consumerPerformanceRate(output: string): number {
  // Header then values: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
  const lines = output.trim().split("\n");
  const headerIndex = lines.findIndex((line) => line.includes("nMsg.sec"));
  const header = lines[headerIndex]?.split(",").map((s) => s.trim()) ?? [];
  const row = lines[headerIndex + 1]?.split(",").map((s) => s.trim()) ?? [];
  const fetchRate = Number(row[header.indexOf("fetch.nMsg.sec")]);
  return Number.isFinite(fetchRate) && fetchRate > 0 ? fetchRate : Number(row[header.indexOf("nMsg.sec")]);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
