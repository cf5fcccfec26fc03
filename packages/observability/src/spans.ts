import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { ensureTracingContext } from "./context";

const TRACER_NAME = "@platform/observability";

/** Marks the span failed: the exception as an event, ERROR status, and `error.type` (a PlatformError's code). */
function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  else span.recordException(String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  span.setAttribute(
    "error.type",
    typeof code === "string" ? code : error instanceof Error ? error.name : typeof error,
  );
}

/** Runs `fn` in a new active span under `parent`; the span always ends, failures are recorded and rethrown. */
export function runInSpan<T>(
  name: string,
  options: SpanOptions,
  parent: Context,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  ensureTracingContext();
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `fn` inside a new active span named `name`, child of the active span (STYLE.md §11). If `fn`
 * throws or rejects, the span records the exception and gets ERROR status; it always ends. Returns (a
 * promise of) what `fn` returns, so domain code stays free of tracing calls.
 */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  ensureTracingContext();
  return runInSpan(name, { attributes }, context.active(), fn);
}
