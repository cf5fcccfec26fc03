/** The README's example consumer, run as data engineers run it, reads v2 records with its v1 schema. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { AvroSerde, avroTypeOf, createKafka, createProducer } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { infrastructure, uniqueName } from "@platform/testkit";
import { applyContracts, loadContracts } from "../src";

const run = promisify(execFile);

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

  const { stdout } = await run(
    "node",
    [
      "--import",
      "tsx",
      join(__dirname, "../examples/analytics-v1-consumer.ts"),
      "--topic",
      `${namePrefix}analytics`,
      "--max",
      "1",
    ],
    {
      env: {
        ...process.env,
        KAFKA_BROKERS: infra.kafkaBrokers.join(","),
        SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      },
      timeout: 60_000,
    },
  );
  const printed = JSON.parse(stdout.trim().split("\n")[0] ?? "{}") as { event: Record<string, unknown> };
  expect(printed.event.event_name).toBe("report.created");
  expect(printed.event).not.toHaveProperty("attribution");
  expect(Object.keys(printed.event)).toEqual(analytics?.versions[0]?.schema.fields.map((f) => f.name));
});
