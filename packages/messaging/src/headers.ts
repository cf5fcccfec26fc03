import type { IHeaders } from "kafkajs";

/** Header names the platform writes on every message; part of the public contract of every topic. */
export const Headers = {
  eventId: "event-id",
  eventType: "event-type",
  aggregateId: "aggregate-id",
  aggregateVersion: "aggregate-version",
  tenantId: "tenant-id",
  occurredAt: "occurred-at",
  deadLetterReason: "dlq-reason",
  deadLetterErrorCode: "dlq-error-code",
  deadLetterTopic: "dlq-original-topic",
  deadLetterPartition: "dlq-original-partition",
  deadLetterOffset: "dlq-original-offset",
  deadLetterConsumerGroup: "dlq-consumer-group",
  deadLetterFailedAt: "dlq-failed-at",
} as const;

export function readHeader(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === "string" ? first : first.toString("utf8");
}

/** Plain string view of the headers, for trace-context extraction and logs. */
export function headersAsStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = readHeader(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
