import { randomUUID } from "node:crypto";
import { type AvroSchema, type AvroSerde, domainEventMessage } from "@platform/messaging";
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
