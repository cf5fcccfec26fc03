/** The README's example consumer, run as data engineers run it, reads v2 records with its v1 schema. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { AvroSerde, avroTypeOf, createKafka, createProducer } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { infrastructure, uniqueName } from "@platform/testkit";
import { applyContracts, loadContracts } from "../src";

const run = promisify(execFile);
const repoRoot = join(__dirname, "../../..");

/** The README's command, `pnpm --filter @platform/contracts example:analytics -- …`, run from the repository root. */
function example(args: string[]) {
  const infra = infrastructure();
  return run("pnpm", ["--silent", "--filter", "@platform/contracts", "example:analytics", "--", ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KAFKA_BROKERS: infra.kafkaBrokers.join(","),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    },
    timeout: 60_000,
  });
}

it("prints v2 analytics records decoded with the v1 reader schema", async () => {
  const infra = infrastructure();
  const contracts = loadContracts(join(__dirname, "../../../schemas"));
  const kafka = createKafka({
    brokers: infra.kafkaBrokers,
    clientId: "example-test",
    logger: createLogger({ name: "example-test", level: "error" }),
  });
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  await Promise.all([admin.connect(), producer.connect()]);
  const namePrefix = `${uniqueName("ex")}.`;
  await applyContracts({ admin, registryUrl: infra.schemaRegistryUrl, contracts, namePrefix });

  const analytics = contracts.subjects.find((s) => s.topic === "analytics");
  const v2 = analytics?.versions[1]?.schema;
  if (!v2) throw new Error("analytics v2 missing");
  const record = {
    ...(avroTypeOf(v2).random() as unknown as Record<string, unknown>),
    event_name: "report.created",
  };
  const value = await AvroSerde.connect(infra.schemaRegistryUrl).encode(
    `${namePrefix}analytics-value`,
    v2,
    record,
  );
  await producer.send({ topic: `${namePrefix}analytics`, messages: [{ key: "acc-1", value }] });
  await Promise.all([admin.disconnect(), producer.disconnect()]);

  // Exactly as the README has it (pnpm 10 passes the `--` through to the script).
  const { stdout, stderr } = await example(["--topic", `${namePrefix}analytics`, "--max", "1"]);
  expect(stderr).toContain(`${namePrefix}analytics holds 1 record(s)`);
  expect(stderr).toContain("--max 1 reached; read 1 record(s)");
  const printed = JSON.parse(stdout.trim().split("\n")[0] ?? "{}") as { event: Record<string, unknown> };
  expect(printed.event.event_name).toBe("report.created");
  expect(printed.event).not.toHaveProperty("attribution");
  expect(Object.keys(printed.event)).toEqual(analytics?.versions[0]?.schema.fields.map((f) => f.name));
});

it("says an empty topic has nothing yet and stops after --idle-timeout instead of waiting forever", async () => {
  const infra = infrastructure();
  const admin = createKafka({
    brokers: infra.kafkaBrokers,
    clientId: "example-test",
    logger: createLogger({ name: "example-test", level: "error" }),
  }).admin();
  await admin.connect();
  const topic = `${uniqueName("ex-empty")}.analytics`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const started = Date.now();
  const { stdout, stderr } = await example(["--topic", topic, "--max", "10", "--idle-timeout", "2"]);
  expect(stdout).toBe("");
  expect(stderr).toContain(`${topic} has no records yet; waiting for the first; giving up after 2 s`);
  expect(stderr).toContain("no record for 2 s; read 0 record(s)");
  expect(Date.now() - started).toBeLessThan(30_000);
});

it("names a topic that does not exist and exits 1", async () => {
  const topic = `${uniqueName("ex-missing")}.analytics`;
  await expect(example(["--topic", topic, "--idle-timeout", "1"])).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining(`topic ${topic} does not exist`),
  });
});
