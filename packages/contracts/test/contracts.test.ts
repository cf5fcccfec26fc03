/**
 * The public streams' contracts against the real registry: versions register in order under
 * FULL_TRANSITIVE, incompatible changes are refused, and readers of either version read both.
 */
import { join } from "node:path";
import { type AvroSchema, AvroSerde, avroTypeOf, createKafka } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { infrastructure, uniqueName } from "@platform/testkit";
import type { Admin } from "kafkajs";
import {
  applyContracts,
  loadContracts,
  RegistryAdmin,
  SchemaRejectedError,
  type SubjectContract,
} from "../src";

const infra = infrastructure();
const contracts = loadContracts(join(__dirname, "../../../schemas"));
const registry = new RegistryAdmin(infra.schemaRegistryUrl);
const serde = AvroSerde.connect(infra.schemaRegistryUrl);
const kafka = createKafka({
  brokers: infra.kafkaBrokers,
  clientId: "contracts-test",
  logger: createLogger({ name: "contracts-test", level: "error" }),
});
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterAll(() => admin.disconnect());

const publicTopics = ["user-events", "analytics", "webhooks"];
const publicStreams = contracts.subjects.filter((s) => publicTopics.includes(s.topic));
// The domain logs have their own suite (domain-logs.test.ts); leaving them out keeps each apply small.
const publicContracts = {
  topics: contracts.topics.filter((t) => publicTopics.includes(t.name)),
  subjects: publicStreams,
};

function latest(contract: SubjectContract): AvroSchema {
  const last = contract.versions[contract.versions.length - 1];
  if (!last) throw new Error(`${contract.subject} has no version`);
  return last.schema;
}

async function applyIsolated() {
  const namePrefix = `${uniqueName("c")}.`;
  const applied = await applyContracts({
    admin,
    registryUrl: infra.schemaRegistryUrl,
    contracts: publicContracts,
    namePrefix,
  });
  return { namePrefix, applied };
}

describe("the public streams' contracts", () => {
  it("declares user-events v1, analytics v1-v2 and webhooks v1-v2", () => {
    expect(publicStreams.map((s) => [s.subject, s.versions.length])).toEqual([
      ["user-events-value", 1],
      ["analytics-value", 2],
      ["webhooks-value", 2],
    ]);
  });

  it("registers every version in order under FULL_TRANSITIVE, and again as a no-op", async () => {
    const { namePrefix, applied } = await applyIsolated();
    const again = await applyContracts({
      admin,
      registryUrl: infra.schemaRegistryUrl,
      contracts: publicContracts,
      namePrefix,
    });
    expect(again).toEqual(applied);
    for (const contract of publicStreams) {
      const subject = namePrefix + contract.subject;
      expect(await registry.versions(subject)).toEqual(contract.versions.map((v) => v.version));
      expect(await registry.compatibility(subject)).toBe("FULL_TRANSITIVE");
    }
    const topics = await admin.fetchTopicMetadata({
      topics: publicContracts.topics.map((t) => namePrefix + t.name),
    });
    expect(topics.topics.map((t) => t.partitions.length)).toEqual(
      publicContracts.topics.map((t) => t.partitions),
    );
  });

  describe.each(publicStreams.map((s) => [s.subject, s] as const))("%s", (_name, contract) => {
    const schema = latest(contract);
    const required = schema.fields.find((f) => f.default === undefined && f.type === "string");
    const incompatible: [string, AvroSchema][] = [
      [
        "a new field without a default",
        { ...schema, fields: [...schema.fields, { name: "surprise", type: "string" }] },
      ],
      [
        "a removed field without a default",
        { ...schema, fields: schema.fields.filter((f) => f !== required) },
      ],
      [
        "a changed type",
        { ...schema, fields: schema.fields.map((f) => (f === required ? { ...f, type: "int" } : f)) },
      ],
    ];

    it.each(incompatible)("refuses %s", async (_change, broken) => {
      expect(required).toBeDefined();
      const { namePrefix } = await applyIsolated();
      const subject = namePrefix + contract.subject;
      const next = contract.versions.length + 1;
      await expect(registry.register(subject, next, broken)).rejects.toBeInstanceOf(SchemaRejectedError);
      expect(await registry.versions(subject)).toEqual(contract.versions.map((v) => v.version));
    });

    it("is read by readers of every version, whatever version wrote it", async () => {
      const { namePrefix } = await applyIsolated();
      const subject = namePrefix + contract.subject;
      for (const writer of contract.versions) {
        const encoded = await serde.encode(subject, writer.schema, avroTypeOf(writer.schema).random());
        // Compared with what the writer's own schema reads back (floats lose precision on the wire).
        const written = (await serde.decode(encoded)) as Record<string, unknown>;
        for (const reader of contract.versions) {
          const decoded = (await serde.decode(encoded, reader.schema)) as Record<string, unknown>;
          const readerType = avroTypeOf(reader.schema);
          expect(readerType.isValid(decoded)).toBe(true);
          for (const field of reader.schema.fields.filter((f) =>
            writer.schema.fields.some((w) => w.name === f.name),
          )) {
            expect(JSON.stringify(decoded[field.name])).toBe(JSON.stringify(written[field.name]));
          }
        }
      }
    });
  });
});
