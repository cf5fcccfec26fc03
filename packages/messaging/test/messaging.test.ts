import { InvalidInputError, isRetriable } from "@platform/errors";
import { createLogger } from "@platform/observability";
import { infrastructure, uniqueName, waitFor } from "@platform/testkit";
import type { Admin, KafkaMessage, Producer } from "kafkajs";
import {
  type AvroSchema,
  AvroSerde,
  createKafka,
  createProducer,
  deadLetterTopicFor,
  ensureTopics,
  Headers,
  publishDeadLetter,
  RecordValidationError,
  readHeader,
  subjectFor,
} from "../src";

const infra = infrastructure();
const logger = createLogger({ name: "messaging-test", level: "error" });
const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: "messaging-test", logger });
const serde = AvroSerde.connect(infra.schemaRegistryUrl);

const v1: AvroSchema = {
  type: "record",
  name: "SeatChanged",
  namespace: "platform.test.messaging",
  fields: [
    { name: "account_id", type: "string" },
    { name: "seats", type: "int" },
  ],
};
const v2: AvroSchema = {
  ...v1,
  fields: [...v1.fields, { name: "reason", type: ["null", "string"], default: null }],
};

let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  admin = kafka.admin();
  producer = createProducer(kafka);
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
});

describe("AvroSerde against the real registry", () => {
  it("round-trips a record in the Confluent wire format", async () => {
    const subject = subjectFor(uniqueName("topic"), "platform.test.messaging.SeatChanged");
    await serde.register(subject, v1);
    const encoded = await serde.encode(subject, v1, { account_id: "acc-1", seats: 5 });
    expect(encoded[0]).toBe(0); // magic byte
    expect(await serde.decode(encoded)).toEqual({ account_id: "acc-1", seats: 5 });
  });

  it("resolves records into the reader's schema, both ways", async () => {
    const subject = subjectFor(uniqueName("topic"), "platform.test.messaging.SeatChanged");
    await serde.register(subject, v1);
    await serde.register(subject, v2);
    const fromV2 = await serde.encode(subject, v2, { account_id: "acc-1", seats: 5, reason: "growth" });
    const fromV1 = await serde.encode(subject, v1, { account_id: "acc-1", seats: 4 });
    expect(await serde.decode(fromV2, v1)).toEqual({ account_id: "acc-1", seats: 5 });
    expect(await serde.decode(fromV1, v2)).toEqual({ account_id: "acc-1", seats: 4, reason: null });
  });

  it("refuses a schema the registry does not know, instead of registering it", async () => {
    const subject = subjectFor(uniqueName("topic"), "platform.test.messaging.SeatChanged");
    await serde.register(subject, v1);
    const error = await serde
      .encode(subject, v2, { account_id: "a", seats: 1, reason: null })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.code).toBe("schema_not_registered");
  });

  it("reports an unreachable registry as retriable", async () => {
    const nowhere = AvroSerde.connect("http://127.0.0.1:9/apis/ccompat/v7");
    const error = await nowhere.encode("x-value", v1, { account_id: "a", seats: 1 }).catch((e) => e);
    expect(error.code).toBe("schema_registry_unavailable");
    expect(isRetriable(error)).toBe(true);
  });

  it("names the fields of a payload that does not match", async () => {
    const subject = subjectFor(uniqueName("topic"), "platform.test.messaging.SeatChanged");
    await serde.register(subject, v1);
    const error = await serde.encode(subject, v1, { account_id: 1, seats: "five" }).catch((e) => e);
    expect(error).toBeInstanceOf(RecordValidationError);
    expect(error.details.paths).toEqual(["account_id", "seats"]);
  });
});

describe("topics and dead letters", () => {
  it("creates missing topics with their settings and leaves existing ones alone", async () => {
    const topic = uniqueName("orders.events");
    const spec = { topic, partitions: 2, config: { "retention.ms": "-1" } };
    expect(await ensureTopics(admin, [spec])).toEqual([topic]);
    expect(await ensureTopics(admin, [spec])).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(2);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic, configNames: ["retention.ms"] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe("-1");
  });

  it("dead-letters the original bytes with where and why it failed", async () => {
    const group = uniqueName("group");
    const original: KafkaMessage = {
      key: Buffer.from("acc-9"),
      value: Buffer.from([1, 2, 3]),
      headers: {
        [Headers.eventType]: "x.Y",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      },
      offset: "41",
      timestamp: "0",
      attributes: 0,
    };
    await publishDeadLetter(producer, {
      consumerGroup: group,
      topic: "source.events",
      partition: 2,
      message: original,
      error: new InvalidInputError("bad_thing", "it was bad"),
      stage: "apply",
    });
    const consumer = kafka.consumer({ groupId: uniqueName("reader") });
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopicFor(group), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await waitFor(() => seen.length === 1, { what: "the dead letter" });
    await consumer.disconnect();
    const [letter] = seen;
    expect(letter?.key?.toString()).toBe("acc-9");
    expect([...(letter?.value ?? [])]).toEqual([1, 2, 3]);
    expect(readHeader(letter?.headers, Headers.eventType)).toBe("x.Y");
    expect(readHeader(letter?.headers, "traceparent")).toMatch(/^00-0af7/);
    expect(readHeader(letter?.headers, Headers.deadLetterReason)).toBe("apply: bad_thing: it was bad");
    expect(readHeader(letter?.headers, Headers.deadLetterErrorCode)).toBe("bad_thing");
    expect(readHeader(letter?.headers, Headers.deadLetterTopic)).toBe("source.events");
    expect(readHeader(letter?.headers, Headers.deadLetterPartition)).toBe("2");
    expect(readHeader(letter?.headers, Headers.deadLetterOffset)).toBe("41");
  });
});
