import { randomUUID } from "node:crypto";
import { type AvroSchema, type AvroSerde, Headers, subjectFor } from "@platform/messaging";
import type { Admin, Producer } from "kafkajs";
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
 * Publishes one domain event the way a service's relay does (registered schema, the platform's
 * headers, keyed by aggregate id): for tests and tools that play another service's part.
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
}): Promise<void> {
  await options.producer.send({
    topic: options.topic,
    messages: [
      {
        key: options.aggregateId,
        value: await options.serde.encode(
          subjectFor(options.topic, options.type),
          options.schema,
          options.data,
        ),
        headers: {
          [Headers.eventId]: randomUUID(),
          [Headers.eventType]: options.type,
          [Headers.aggregateId]: options.aggregateId,
          [Headers.aggregateVersion]: String(options.version),
          [Headers.occurredAt]: new Date().toISOString(),
        },
      },
    ],
  });
}
