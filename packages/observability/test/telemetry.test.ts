import { trace } from "@opentelemetry/api";
import { startTelemetry, withSpan } from "../src";
import { exportPlan } from "../src/telemetry";

describe("exportPlan", () => {
  it("exports nothing when no exporter and no endpoint are configured", () => {
    expect(exportPlan({})).toEqual({ traces: false, metrics: false });
  });

  it("defaults to OTLP when an endpoint is configured", () => {
    expect(exportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toEqual({
      traces: true,
      metrics: true,
    });
    expect(exportPlan({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toEqual({
      traces: true,
      metrics: false,
    });
  });

  it("follows explicit exporter variables", () => {
    expect(exportPlan({ OTEL_TRACES_EXPORTER: "console" }).traces).toBe(true);
    expect(
      exportPlan({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }).traces,
    ).toBe(false);
    expect(exportPlan({ OTEL_METRICS_EXPORTER: "prometheus" }).metrics).toBe(true);
  });

  it("rejects an exporter it does not know, naming the variable", () => {
    expect(() => exportPlan({ OTEL_TRACES_EXPORTER: "otlp,jaeger" })).toThrow(
      "OTEL_TRACES_EXPORTER must be a comma-separated list of otlp, console, none (not jaeger)",
    );
  });
});

describe("startTelemetry", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith("OTEL_")) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it("starts and stops without any exporter, and is idempotent while running", async () => {
    for (const name of Object.keys(process.env)) if (name.startsWith("OTEL_")) delete process.env[name];
    const telemetry = startTelemetry({ serviceName: "tenancy" });
    expect(startTelemetry({ serviceName: "tenancy" })).toBe(telemetry);
    await withSpan("unexported", {}, (span) => expect(span.isRecording()).toBe(false));
    await telemetry.shutdown();
  });

  it("exports spans with the service's name and version through the configured exporter", async () => {
    process.env.OTEL_TRACES_EXPORTER = "console";
    process.env.OTEL_SERVICE_NAME = "tenancy-canary";
    const printed: unknown[] = [];
    const dir = jest.spyOn(console, "dir").mockImplementation((item: unknown) => void printed.push(item));
    try {
      const telemetry = startTelemetry({ serviceName: "tenancy", serviceVersion: "1.2.3" });
      const traceId = await withSpan("exported", {}, (span) => span.spanContext().traceId);
      await telemetry.shutdown();
      expect(printed).toContainEqual(
        expect.objectContaining({
          name: "exported",
          traceId,
          resource: {
            attributes: expect.objectContaining({
              "service.name": "tenancy-canary",
              "service.version": "1.2.3",
            }),
          },
        }),
      );
    } finally {
      dir.mockRestore();
      trace.disable();
    }
  });
});

describe("startTelemetry with an unreachable collector", () => {
  afterEach(() => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    trace.disable();
  });

  it("still shuts down, then reports the spans it could not export", async () => {
    // Port 1 on the loopback interface: no collector there, so the final export fails.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:1";
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "http/json";
    const telemetry = startTelemetry({ serviceName: "tenancy" });
    await withSpan("lost", {}, (span) => expect(span.isRecording()).toBe(true));
    await expect(telemetry.shutdown()).rejects.toThrow(/^could not export the last spans: /);
  });
});
