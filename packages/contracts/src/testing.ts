import { randomUUID } from "node:crypto";
import { type AvroSchema, type AvroSerde, createKafka, domainEventMessage } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import type { Admin, Kafka, Producer } from "kafkajs";
import { applyContracts } from "./apply";
import { loadContracts, SCHEMAS_ROOT } from "./contracts";

/**
 * For service tests: the real contracts of some topics under a prefix of the test's own (topics
 * `<prefix>.identity.events`, ...), created and registered exactly as `platform infra` does.
 */
export async function applyTopicsForTest(options: {
  admin: Admin;
  registryUrl: string;
  prefix: string;
  topics: string[];
  partitions?: number;
}): Promise<void> {
  const all = loadContracts(SCHEMAS_ROOT);
  await applyContracts({
    admin: options.admin,
    registryUrl: options.registryUrl,
    namePrefix: `${options.prefix}.`,
    contracts: {
      topics: all.topics
        .filter((t) => options.topics.includes(t.name))
        .map((t) => ({ ...t, partitions: options.partitions ?? 3 })),
      subjects: all.subjects.filter((s) => options.topics.includes(s.topic)),
    },
  });
}

/**
 * Publishes one domain event the way a service's relay does (the same message builder): for tests
 * and tools that play another service's part. Its time is the payload's `occurred_at` when it has
 * one, as a relay's would be.
 */
export async function publishDomainEvent(options: {
  producer: Producer;
  serde: AvroSerde;
  topic: string;
  schema: AvroSchema;
  type: string;
  aggregateId: string;
  version: number;
  data: Record<string, unknown>;
  tenantId?: string | null;
  eventId?: string;
}): Promise<void> {
  const { data } = options;
  const occurredAt = typeof data.occurred_at === "number" ? new Date(data.occurred_at) : new Date();
  await options.producer.send({
    topic: options.topic,
    messages: [
      await domainEventMessage(options.serde, options.topic, options.schema, {
        eventId: options.eventId ?? randomUUID(),
        type: options.type,
        aggregateId: options.aggregateId,
        version: options.version,
        tenantId: options.tenantId,
        occurredAt,
        data,
      }),
    ],
  });
}

/**
 * A test's own copies of some of the platform's topics, made as `applyTopicsForTest` makes them, and a
 * Kafka client to use them: `{ billing: "billing.events" }` gives `topics.billing` = `<prefix>.billing.events`.
 */
export async function createTestTopics<Name extends string>(options: {
  brokers: string[];
  registryUrl: string;
  /** Unique per test (testkit's `uniqueName`), so tests never see each other's messages. */
  prefix: string;
  clientId: string;
  topics: Record<Name, string>;
}): Promise<{ kafka: Kafka; topics: Record<Name, string> }> {
  const { prefix } = options;
  const entries = Object.entries<string>(options.topics);
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: options.clientId,
    logger: createLogger({ name: options.clientId, level: "error" }),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await applyTopicsForTest({
      admin,
      registryUrl: options.registryUrl,
      prefix,
      topics: entries.map(([, topic]) => topic),
    });
  } finally {
    await admin.disconnect();
  }
  const topics = Object.fromEntries(entries.map(([name, topic]) => [name, `${prefix}.${topic}`]));
  return { kafka, topics: topics as Record<Name, string> };
}

/**
 * Plays other services in a test: `publish(topic, type, aggregateId, data)` sends one domain event with
 * the next version of its aggregate (counted per aggregate id), its payload over `defaults()`.
 */
export function testEventPublisher<Topic extends string>(options: {
  producer: Producer;
  serde: AvroSerde;
  topics: Record<Topic, string>;
  /** The reader schemas by event type: an event type without one is a mistake in the test. */
  schemas: Readonly<Record<string, AvroSchema | undefined>>;
  /** What every payload starts from (occurred_at at the test's clock, the actor). */
  defaults: () => Record<string, unknown>;
  /** The tenant header of an event, when the service under test reads it. */
  tenantOf?: (data: Record<string, unknown>) => string | null;
}): (topic: Topic, type: string, aggregateId: string, data: Record<string, unknown>) => Promise<void> {
  const versions = new Map<string, number>();
  return async (topic, type, aggregateId, data) => {
    const schema = options.schemas[type];
    if (!schema) throw new Error(`unknown event type ${type}`);
    const version = (versions.get(aggregateId) ?? 0) + 1;
    versions.set(aggregateId, version);
    await publishDomainEvent({
      producer: options.producer,
      serde: options.serde,
      topic: options.topics[topic],
      schema,
      type,
      aggregateId,
      version,
      ...(options.tenantOf ? { tenantId: options.tenantOf(data) } : {}),
      data: { ...options.defaults(), ...data },
    });
  };
}
