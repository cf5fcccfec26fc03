import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  extractTraceContext,
  injectTraceHeaders,
  type MessageHeaders,
  withConsumerSpan,
  withProducerSpan,
  withSpan,
} from "../src";
import { recordSpans } from "./tracing";

const exporter = recordSpans();

afterEach(() => exporter.reset());

/** What kafkajs hands a consumer: header values as Buffers. */
function asDelivered(headers: Record<string, string>): MessageHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)]));
}

function finished(name: string) {
  const span = exporter.getFinishedSpans().find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no finished span named ${name}`);
  return span;
}

describe("trace context through Kafka headers", () => {
  it("makes the producer's span the parent of the consumer's span", async () => {
    const headers = await withProducerSpan("tenancy.events", () => injectTraceHeaders({}));
    expect(Object.keys(headers)).toContain("traceparent");

    const seen = await withConsumerSpan("tenancy.events", asDelivered(headers), async () => {
      await withSpan("apply", { "event.type": "OrganizationCreated" }, () => undefined);
      return trace.getActiveSpan()?.spanContext();
    });

    const producer = finished("send tenancy.events");
    const consumer = finished("process tenancy.events");
    const apply = finished("apply");
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.parentSpanContext?.isRemote).toBe(true);
    expect(apply.parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
    expect(seen?.spanId).toBe(consumer.spanContext().spanId);
    expect(consumer.attributes).toMatchObject({
      "messaging.system": "kafka",
      "messaging.destination.name": "tenancy.events",
      "messaging.operation.type": "process",
    });
    expect(producer.attributes).toMatchObject({ "messaging.operation.type": "send" });
  });

  it("keeps the trace across a hop through stored headers (command → event store → relay)", async () => {
    const stored = await withSpan("command", {}, () => injectTraceHeaders({}));
    const command = finished("command");
    // Later, outside any span: the relay re-activates the stored context around its own injection.
    const relayed = context.with(extractTraceContext(stored), () => injectTraceHeaders({}));
    await withConsumerSpan("tenancy.events", relayed, () => undefined);
    expect(finished("process tenancy.events").parentSpanContext?.spanId).toBe(command.spanContext().spanId);
  });

  it("accepts string, array and differently cased header values", async () => {
    const headers = await withProducerSpan("t", () => injectTraceHeaders({}));
    const traceparent = headers.traceparent ?? "";
    await withConsumerSpan(
      "t",
      { TraceParent: [Buffer.from(traceparent), "ignored"], other: undefined },
      () => undefined,
    );
    expect(finished("process t").parentSpanContext?.spanId).toBe(finished("send t").spanContext().spanId);
  });

  it("starts a new trace for a message without trace headers, even inside another span", async () => {
    await withSpan("poll", {}, () => withConsumerSpan("t", { "event-type": "X" }, () => undefined));
    const consumer = finished("process t");
    expect(consumer.parentSpanContext).toBeUndefined();
    expect(consumer.spanContext().traceId).not.toBe(finished("poll").spanContext().traceId);
  });

  it("ignores a malformed traceparent", async () => {
    await withConsumerSpan("t", { traceparent: "00-not-a-trace-01" }, () => undefined);
    expect(finished("process t").parentSpanContext).toBeUndefined();
  });

  it("injects nothing outside a span", () => {
    expect(injectTraceHeaders({ "event-id": "e1" })).toEqual({ "event-id": "e1" });
  });
});

describe("withSpan", () => {
  it("returns fn's result, with attributes, and ends the span", async () => {
    await expect(withSpan("work", { "tenant.id": "t1" }, () => 42)).resolves.toBe(42);
    const span = finished("work");
    expect(span.attributes).toEqual({ "tenant.id": "t1" });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.ended).toBe(true);
  });

  it("nests under the active span", async () => {
    await withSpan("outer", {}, () => withSpan("inner", {}, async () => undefined));
    expect(finished("inner").parentSpanContext?.spanId).toBe(finished("outer").spanContext().spanId);
  });

  it("records the exception, sets ERROR status, ends the span and rethrows", async () => {
    const failure = Object.assign(new Error("seat limit reached"), { code: "seat_limit_reached" });
    await expect(
      withSpan("invite", {}, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const span = finished("invite");
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "seat limit reached" });
    expect(span.attributes["error.type"]).toBe("seat_limit_reached");
    expect(span.events.map((event) => event.name)).toEqual(["exception"]);
    expect(span.events[0]?.attributes?.["exception.message"]).toBe("seat limit reached");
  });

  it("records a synchronous throw of a non-Error too", async () => {
    await expect(
      withSpan("odd", {}, () => {
        throw "plain string";
      }),
    ).rejects.toBe("plain string");
    expect(finished("odd").status.code).toBe(SpanStatusCode.ERROR);
  });

  it("marks a failed consumer span", async () => {
    await expect(
      withConsumerSpan("t", {}, () => Promise.reject(new TypeError("cannot decode"))),
    ).rejects.toThrow("cannot decode");
    const span = finished("process t");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes["error.type"]).toBe("TypeError");
  });
});
