import { ProxyTracerProvider, trace } from "@opentelemetry/api";
import { ExpressInstrumentation } from "@opentelemetry/instrumentation-express";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { releaseTracingContext } from "./context";

export interface TelemetryOptions {
  /** `service.name` of every span; `OTEL_SERVICE_NAME` overrides it. */
  serviceName: string;
  serviceVersion?: string;
}

export interface Telemetry {
  /**
   * Exports the spans still buffered and stops the SDK. Call it last in graceful shutdown. Rejects,
   * after stopping, when the last spans could not be exported (collector unreachable).
   */
  shutdown(): Promise<void>;
}

type Environment = Record<string, string | undefined>;

const TRACES_EXPORTERS = ["otlp", "console", "none"];
const METRICS_EXPORTERS = ["otlp", "console", "prometheus", "none"];
/** Paths probed every few seconds; a span each would drown the real traffic. */
const PROBE_PATHS = new Set(["/healthz", "/readyz"]);

function listFrom(env: Environment, name: string, allowed: string[]): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const values = raw.split(",").map((value) => value.trim().toLowerCase());
  const unknown = values.filter((value) => !allowed.includes(value));
  if (unknown.length > 0) {
    throw new Error(
      `${name} must be a comma-separated list of ${allowed.join(", ")} (not ${unknown.join(", ")})`,
    );
  }
  return values;
}

/**
 * Which signals export anything, as the NodeSDK would read `OTEL_*` except for one default: with the
 * exporter variable unset, a signal goes to OTLP only when an OTLP endpoint is configured, and nowhere
 * otherwise (the SDK's own default would send to localhost:4318 from every test and laptop).
 */
export function exportPlan(env: Environment): { traces: boolean; metrics: boolean } {
  const endpoint = (signal: string) =>
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]?.trim());
  const traces = listFrom(env, "OTEL_TRACES_EXPORTER", TRACES_EXPORTERS);
  const metrics = listFrom(env, "OTEL_METRICS_EXPORTER", METRICS_EXPORTERS);
  return {
    traces: traces ? !traces.includes("none") : endpoint("TRACES"),
    metrics: metrics ? !metrics.includes("none") : endpoint("METRICS"),
  };
}

let running: Telemetry | undefined;

/** Exports spans still held by span processors: a simple processor's shutdown does not wait for them. */
async function flushSpans(): Promise<void> {
  const provider: object = trace.getTracerProvider();
  const delegate: object = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  if ("forceFlush" in delegate && typeof delegate.forceFlush === "function") await delegate.forceFlush();
}

/**
 * Starts the OpenTelemetry NodeSDK: http, express and pg instrumentations, W3C trace-context and baggage
 * propagation, and exporters chosen by the standard variables (`OTEL_TRACES_EXPORTER` = otlp | console
 * | none, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_BSP_*`, `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_PROPAGATORS`, `OTEL_SDK_DISABLED`). Without an exporter it sends
 * nothing anywhere. Logs are not exported through OpenTelemetry: pino writes them to stdout.
 *
 * Call it first thing in the process, before `express`, `pg` or anything requiring them is loaded:
 * instrumentations patch modules as they are required, never those already loaded. Calling it again
 * while started returns the running instance.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (running) return running;
  const env: Environment = process.env;
  const plan = exportPlan(env);
  const resource = options.serviceVersion
    ? defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_VERSION]: options.serviceVersion }))
    : defaultResource();
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || options.serviceName,
    resource,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => PROBE_PATHS.has(request.url ?? "") }),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
    ],
    // An empty list means "none"; leaving a key out lets the SDK read its OTEL_* variable.
    ...(plan.traces ? {} : { spanProcessors: [] }),
    ...(plan.metrics ? {} : { metricReaders: [] }),
    logRecordProcessors: [],
  });
  // Context manager and propagator registered by a helper called earlier give way to the SDK's.
  releaseTracingContext();
  sdk.start();
  const telemetry: Telemetry = {
    async shutdown() {
      if (running === telemetry) running = undefined;
      // The SDK is shut down even when the collector is unreachable; the failure is reported after.
      const flushed = await flushSpans().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      await sdk.shutdown();
      if (flushed !== undefined) {
        const reasons = (Array.isArray(flushed) ? flushed : [flushed]).map((reason) =>
          reason instanceof Error ? reason.message : String(reason),
        );
        throw new Error(`could not export the last spans: ${reasons.join("; ")}`, { cause: flushed });
      }
    },
  };
  running = telemetry;
  return telemetry;
}
