import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
} from "@opentelemetry/api";
import { ensureTracingContext } from "./context";
import { runInSpan } from "./spans";

/** Header values as kafkajs hands them over (`IHeaders`). */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

// Messaging semantic conventions (still "incubating" upstream, hence spelled out here).
const MESSAGING_SYSTEM = "messaging.system";
const MESSAGING_DESTINATION_NAME = "messaging.destination.name";
const MESSAGING_OPERATION_TYPE = "messaging.operation.type";
const MESSAGING_OPERATION_NAME = "messaging.operation.name";

/**
 * Writes the active trace context (`traceparent`, `tracestate`, `baggage`) into `headers`, a plain
 * string map such as a Kafka message's headers. Writes nothing when there is no valid span context.
 * Returns `headers`.
 */
export function injectTraceHeaders(
  headers: Record<string, string>,
  from: Context = context.active(),
): Record<string, string> {
  ensureTracingContext();
  propagation.inject(from, headers);
  return headers;
}

/**
 * The trace context carried by a message's headers, to use as a parent (`context.with(ctx, ...)` or a
 * span's parent). Built on the root context, so a message without trace headers starts a new trace
 * instead of joining whatever happens to be active. Buffers are read as UTF-8; of repeated values, the
 * first counts. Header names are matched case-insensitively.
 */
export function extractTraceContext(headers: MessageHeaders): Context {
  ensureTracingContext();
  const carrier: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    carrier[name.toLowerCase()] = typeof value === "string" ? value : value.toString("utf8");
  }
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * Handles one consumed message inside a CONSUMER span named `process <topic>`, child of the trace
 * context in `headers`, so the consumer's work joins the producer's trace. Logs written in `fn` carry
 * that trace id; spans opened in `fn` are its children.
 */
export function withConsumerSpan<T>(
  topic: string,
  headers: MessageHeaders,
  fn: (span: Span) => Promise<T> | T,
  attributes: Attributes = {},
): Promise<T> {
  return runInSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [MESSAGING_SYSTEM]: "kafka",
        [MESSAGING_DESTINATION_NAME]: topic,
        [MESSAGING_OPERATION_TYPE]: "process",
        [MESSAGING_OPERATION_NAME]: "process",
        ...attributes,
      },
    },
    extractTraceContext(headers),
    fn,
  );
}

/**
 * Sends inside a PRODUCER span named `send <topic>`, child of the active span. Headers injected with
 * `injectTraceHeaders` inside `fn` name this span as the parent of the consumers' spans.
 */
export function withProducerSpan<T>(
  topic: string,
  fn: (span: Span) => Promise<T> | T,
  attributes: Attributes = {},
): Promise<T> {
  ensureTracingContext();
  return runInSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MESSAGING_SYSTEM]: "kafka",
        [MESSAGING_DESTINATION_NAME]: topic,
        [MESSAGING_OPERATION_TYPE]: "send",
        [MESSAGING_OPERATION_NAME]: "send",
        ...attributes,
      },
    },
    context.active(),
    fn,
  );
}
