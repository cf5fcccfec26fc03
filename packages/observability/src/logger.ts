import { context, isSpanContextValid, trace } from "@opentelemetry/api";
import pino from "pino";
import { ensureTracingContext } from "./context";

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** The service or component name; on every line as `name`. */
  name: string;
  /** pino level; `info` when not given. */
  level?: pino.LevelWithSilentOrString;
  /** More pino redact paths, on top of the secret field names redacted at any depth. */
  redact?: string[];
  /** Where lines go; stdout when not given. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** Field names whose values never reach a log line, wherever they appear (matched case-sensitively). */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "set-cookie",
  "password",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "secret",
  "clientSecret",
  "apiKey",
  "api_key",
  "x-api-key",
];
/** pino redact wildcards match exactly one level, so each name is listed at depths 0 to MAX_DEPTH. */
const MAX_DEPTH = 4;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    for (const field of SECRET_FIELDS) {
      const plain = /^[A-Za-z_$][\w$]*$/.test(field);
      if (depth === 0) paths.push(plain ? field : `["${field}"]`);
      else paths.push(`*${".*".repeat(depth - 1)}${plain ? `.${field}` : `["${field}"]`}`);
    }
  }
  return paths;
}

/** `trace_id` and `span_id` of the active span, so a log line can be found from its trace and back. */
function traceFields(): Record<string, string> {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * A pino logger writing JSON lines: ISO time, level as a label, `trace_id`/`span_id` of the active span,
 * and secrets (authorization, cookies, passwords, tokens, secrets, API keys) replaced by `[REDACTED]`
 * at any depth up to 5 levels.
 */
export function createLogger(options: LoggerOptions): Logger {
  ensureTracingContext();
  const settings: pino.LoggerOptions = {
    name: options.name,
    level: options.level ?? "info",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
    redact: { paths: [...redactPaths(), ...(options.redact ?? [])], censor: "[REDACTED]" },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
