import { trace } from "@opentelemetry/api";
import { extractTraceContext, injectTraceHeaders, withConsumerSpan, withSpan } from "../src";

// No tracer provider and no NodeSDK: spans do not record, but the trace context still flows through,
// so a service running with OTEL_TRACES_EXPORTER=none keeps the trace id of its upstream.
const upstream = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("without a tracer provider", () => {
  it("passes an incoming trace context on to the messages it produces", async () => {
    const forwarded = await withConsumerSpan("t", { traceparent: Buffer.from(upstream) }, () => {
      expect(trace.getActiveSpan()?.isRecording()).toBe(false);
      return injectTraceHeaders({});
    });
    expect(forwarded.traceparent).toBe(upstream);
  });

  it("extracts a context whose span context is the remote parent", () => {
    const spanContext = trace.getSpanContext(extractTraceContext({ traceparent: upstream }));
    expect(spanContext).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", isRemote: true });
  });

  it("runs withSpan's fn and returns its result", async () => {
    await expect(withSpan("noop", {}, () => "done")).resolves.toBe("done");
  });
});
