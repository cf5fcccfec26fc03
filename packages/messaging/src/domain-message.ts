import { extractTraceContext, injectTraceHeaders } from "@platform/observability";
import type { Message } from "kafkajs";
import { Headers } from "./headers";
import { type AvroSchema, type AvroSerde, subjectFor } from "./serde";

/** One domain event as it goes onto its service's topic. */
export interface DomainEventEnvelope {
  eventId: string;
  /** The Avro record's full name: the event-type header and, with the topic, the subject. */
  type: string;
  aggregateId: string;
  version: number;
  tenantId?: string | null;
  occurredAt: Date;
  data: Record<string, unknown>;
  /**
   * W3C trace context the event was appended under; without it the active context is used, so the
   * consumer's span joins whichever trace published the message.
   */
  trace?: Record<string, string>;
}

/**
 * The one way a domain event becomes a Kafka message (the relay, and tests or tools that play a
 * service's part): Avro value under the topic's subject for the type, keyed by aggregate id so one
 * aggregate stays in one partition, and the platform's headers, which are public contract.
 */
export async function domainEventMessage(
  serde: AvroSerde,
  topic: string,
  schema: AvroSchema,
  event: DomainEventEnvelope,
): Promise<Message> {
  const value = await serde.encode(subjectFor(topic, event.type), schema, event.data);
  const trace = event.trace
    ? injectTraceHeaders({}, extractTraceContext(event.trace))
    : injectTraceHeaders({});
  return {
    key: event.aggregateId,
    value,
    // No Kafka timestamp: the producer's send time is used. The event's time is the occurred-at
    // header; a clock ahead of the broker's (a test's moved clock) would otherwise have the batch
    // refused under log.message.timestamp.after.max.ms and wedge the relay.
    headers: {
      ...trace,
      [Headers.eventId]: event.eventId,
      [Headers.eventType]: event.type,
      [Headers.aggregateId]: event.aggregateId,
      [Headers.aggregateVersion]: String(event.version),
      [Headers.occurredAt]: event.occurredAt.toISOString(),
      ...(event.tenantId ? { [Headers.tenantId]: event.tenantId } : {}),
    },
  };
}
