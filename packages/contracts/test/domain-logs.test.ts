/**
 * The services' domain event logs: one topic per service kept forever, one Avro record type per
 * event type under its own subject (TopicRecordNameStrategy), each evolving on its own.
 */
import { join } from "node:path";
import { type AvroSchema, AvroSerde, avroTypeOf, createKafka, createProducer } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { infrastructure, uniqueName, waitFor } from "@platform/testkit";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { applyContracts, loadContracts, RegistryAdmin, SchemaRejectedError } from "../src";

const infra = infrastructure();
const contracts = loadContracts(join(__dirname, "../../../schemas"));
const registry = new RegistryAdmin(infra.schemaRegistryUrl);
const serde = AvroSerde.connect(infra.schemaRegistryUrl);
const kafka = createKafka({
  brokers: infra.kafkaBrokers,
  clientId: "domain-logs-test",
  logger: createLogger({ name: "domain-logs-test", level: "error" }),
});
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterAll(() => admin.disconnect());

const services = ["identity", "tenancy", "billing", "usage"];
const domainTopics = contracts.topics.filter((t) => t.subjectStrategy === "TopicRecordNameStrategy");
const domainSubjects = contracts.subjects.filter((s) => domainTopics.some((t) => t.name === s.topic));
const domainContracts = { topics: domainTopics, subjects: domainSubjects };

function subjectOf(record: string) {
  const contract = domainSubjects.find((s) => s.record === record);
  const schema = contract?.versions[contract.versions.length - 1]?.schema;
  if (!contract || !schema) throw new Error(`no contract for ${record}`);
  return { contract, schema };
}

async function applyIsolated(): Promise<string> {
  const namePrefix = `${uniqueName("d")}.`;
  await applyContracts({
    admin,
    registryUrl: infra.schemaRegistryUrl,
    contracts: domainContracts,
    namePrefix,
  });
  return namePrefix;
}

describe("the domain event logs' declaration", () => {
  it("has one topic per service, kept forever, FULL_TRANSITIVE, one subject per record type", () => {
    expect(domainTopics.map((t) => t.name)).toEqual(services.map((s) => `${s}.events`));
    for (const topic of domainTopics) {
      expect(topic.owner).toBe(topic.name.replace(/\.events$/, ""));
      expect(topic.config["retention.ms"]).toBe("-1");
      // Compaction would keep only an aggregate's last event: the log is the history.
      expect(topic.config["cleanup.policy"]).toBe("delete");
      expect(topic.compatibility).toBe("FULL_TRANSITIVE");
    }
    for (const subject of domainSubjects) {
      const service = subject.topic.replace(/\.events$/, "");
      expect(subject.record).toMatch(new RegExp(`^platform\\.${service}\\.[A-Z][A-Za-z]+$`));
      expect(subject.subject).toBe(`${subject.topic}-${subject.record}`);
    }
    expect(new Set(domainSubjects.map((s) => s.subject)).size).toBe(domainSubjects.length);
  });

  it.each(domainSubjects.map((s) => [s.record, s] as const))(
    "%s carries when, who and (where it has one) the tenant",
    (_record, subject) => {
      for (const { schema } of subject.versions) {
        const fields = new Map(schema.fields.map((f) => [f.name, f]));
        expect(JSON.stringify(fields.get("occurred_at")?.type)).toBe(
          JSON.stringify({ type: "long", logicalType: "timestamp-millis" }),
        );
        expect((fields.get("actor")?.type as AvroSchema | undefined)?.name).toBe("Actor");
        const account = fields.get("account_id");
        // Person- or platform-level events (a sign-up without an organization, a plan of the
        // catalog) may have no tenant, and then say so in the field's doc.
        if (account && account.type !== "string") expect(account.doc).toMatch(/null (when|for)/);
        expect(schema.doc).toBeTruthy();
        for (const field of schema.fields) expect(field.doc).toBeTruthy();
      }
    },
  );
});

describe("the domain event logs against the real broker and registry", () => {
  it("creates every topic with infinite retention and registers every record type", async () => {
    const namePrefix = await applyIsolated();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: domainTopics.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: namePrefix + t.name })),
    });
    for (const resource of described.resources) {
      const retention = resource.configEntries.find((e) => e.configName === "retention.ms");
      expect([resource.resourceName, retention?.configValue]).toEqual([resource.resourceName, "-1"]);
    }
    for (const subject of domainSubjects) {
      expect(await registry.versions(namePrefix + subject.subject)).toEqual(
        subject.versions.map((v) => v.version),
      );
      expect(await registry.compatibility(namePrefix + subject.subject)).toBe("FULL_TRANSITIVE");
    }
  });

  it("carries several record types in one topic, each decoded by its own schema, in order", async () => {
    const namePrefix = await applyIsolated();
    const topic = `${namePrefix}identity.events`;
    const records = ["platform.identity.UserSignedUp", "platform.identity.UserSignedIn"].map((record) => {
      const { contract, schema } = subjectOf(record);
      return { record, subject: namePrefix + contract.subject, schema, value: avroTypeOf(schema).random() };
    });
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      for (const { record, subject, schema, value } of records)
        await producer.send({
          topic,
          messages: [
            { key: "usr_1", value: await serde.encode(subject, schema, value), headers: { record } },
          ],
        });
    } finally {
      await producer.disconnect();
    }

    const consumer = kafka.consumer({ groupId: uniqueName("domain-logs") });
    const received: { record: string; value: unknown }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          received.push({
            record: String(message.headers?.record),
            value: await serde.decode(message.value),
          });
        },
      });
      await waitFor(() => received.length === records.length || undefined, { timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
    }
    expect(received.map((r) => r.record)).toEqual(records.map((r) => r.record));
    received.forEach((r, index) => {
      const sent = records[index];
      if (!sent) throw new Error("more records than sent");
      expect(avroTypeOf(sent.schema).isValid(r.value)).toBe(true);
      expect(JSON.stringify(r.value)).toBe(JSON.stringify(avroTypeOf(sent.schema).clone(sent.value)));
    });
  });

  it("refuses an incompatible change to one record type and leaves the others free to evolve", async () => {
    const namePrefix = await applyIsolated();
    const signedUp = subjectOf("platform.identity.UserSignedUp");
    const signedIn = subjectOf("platform.identity.UserSignedIn");
    const broken: AvroSchema = {
      ...signedUp.schema,
      fields: [...signedUp.schema.fields, { name: "surprise", type: "string" }],
    };
    await expect(registry.register(namePrefix + signedUp.contract.subject, 2, broken)).rejects.toBeInstanceOf(
      SchemaRejectedError,
    );
    expect(await registry.versions(namePrefix + signedUp.contract.subject)).toEqual([1]);

    const evolved: AvroSchema = {
      ...signedIn.schema,
      fields: [
        ...signedIn.schema.fields,
        { name: "mfa_used", type: "boolean", default: false, doc: "Whether a second factor was used." },
      ],
    };
    await registry.register(namePrefix + signedIn.contract.subject, 2, evolved);
    expect(await registry.versions(namePrefix + signedIn.contract.subject)).toEqual([1, 2]);

    // A new event type is a new subject in the same topic: nothing existing changes.
    const added: AvroSchema = {
      type: "record",
      name: "MfaEnrolled",
      namespace: "platform.identity",
      fields: [{ name: "user_id", type: "string" }],
    };
    await registry.register(`${namePrefix}identity.events-platform.identity.MfaEnrolled`, 1, added);
    expect(await registry.versions(namePrefix + signedUp.contract.subject)).toEqual([1]);
  });
});
