import { createHash } from "node:crypto";
import type { Actor, UsageCorrection, UsageReported } from "@platform/contracts";
import type { MeterCatalog } from "./meters";

/** The stable codes of what a usage event can be refused for (problem+json `code`, per item in a batch). */
export const UsageErrorCodes = {
  invalidEvent: "invalid_usage_event",
  unknownMetric: "unknown_metric",
  metricNotReportable: "metric_not_reportable",
  negativeQuantity: "negative_quantity",
  invalidQuantity: "invalid_quantity",
  idempotencyKeyRequired: "idempotency_key_required",
  invalidTimestamp: "invalid_timestamp",
  timestampInFuture: "timestamp_in_future",
  invalidDimensions: "invalid_dimensions",
  /** The key was seen with another body (409). */
  idempotencyKeyReused: "idempotency_key_reused",
  /** The event's time falls in a period already closed (409). */
  periodClosed: "period_closed",
} as const;

export type UsageErrorCode = (typeof UsageErrorCodes)[keyof typeof UsageErrorCodes];

export interface UsageProblem {
  path: string;
  code: UsageErrorCode;
  message: string;
}

/** A usage event as accepted: one meter, a whole quantity ≥ 0, a time, the caller's key. */
export interface ReportedUsage {
  metric: string;
  quantity: number;
  idempotencyKey: string;
  occurredAt: number;
  dimensions: Record<string, string>;
  source: string | null;
  subject: string | null;
}

export interface UsageRules {
  meters: MeterCatalog;
  /** The service's clock, ms: the default time, and what "in the future" is measured from. */
  now: number;
  maxFutureMs: number;
}

const MAX_KEY_LENGTH = 255;

type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads one usage event in either accepted form and checks it against the meters and the clock:
 * - plain: `{ metric, quantity, idempotency_key, timestamp?, dimensions? }`;
 * - CloudEvents JSON (OpenMeter's form, recognised by `specversion`): `type` is the metric, `source` +
 *   `id` the idempotency key, `time` the timestamp, `data.quantity` (or `data.value`, else 1) the
 *   quantity and the rest of `data` the dimensions (non-strings as their JSON text, as the schema says).
 * Every problem is returned, each with its field and stable code; none means the event is accepted.
 */
export function readUsageEvent(
  input: unknown,
  rules: UsageRules,
): { usage: ReportedUsage; problems: [] } | { usage: null; problems: UsageProblem[] } {
  if (!isObject(input)) return refused([problem("", "invalidEvent", "expected an object")]);
  const form = "specversion" in input ? cloudEvent(input) : plainEvent(input);
  if ("problems" in form) return refused(form.problems);
  const problems: UsageProblem[] = [];
  const { metric, quantity, key, time, dimensions } = form;

  if (typeof metric !== "string" || metric === "")
    problems.push(problem(form.paths.metric, "invalidEvent", "a metric is required"));
  else if (!rules.meters.meter(metric))
    problems.push(problem(form.paths.metric, "unknownMetric", `no meter named ${metric}`));
  else if (!rules.meters.reportable(metric))
    problems.push(
      problem(
        form.paths.metric,
        "metricNotReportable",
        `${metric} is counted from tenancy's events, not reported`,
      ),
    );

  if (typeof quantity !== "number" || !Number.isFinite(quantity))
    problems.push(problem(form.paths.quantity, "invalidQuantity", "quantity must be a number"));
  else if (quantity < 0)
    problems.push(problem(form.paths.quantity, "negativeQuantity", "quantity must be 0 or more"));
  else if (!Number.isSafeInteger(quantity))
    problems.push(
      problem(form.paths.quantity, "invalidQuantity", "quantity must be a whole number below 2^53"),
    );

  if (typeof key !== "string" || key.trim() === "")
    problems.push(problem(form.paths.key, "idempotencyKeyRequired", "an idempotency key is required"));
  else if (key.length > MAX_KEY_LENGTH)
    problems.push(
      problem(form.paths.key, "invalidEvent", `the idempotency key is longer than ${MAX_KEY_LENGTH}`),
    );

  let occurredAt = rules.now;
  if (time !== undefined && time !== null) {
    const parsed = typeof time === "number" ? time : typeof time === "string" ? Date.parse(time) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < 0)
      problems.push(
        problem(form.paths.time, "invalidTimestamp", "expected an ISO 8601 time or ms since epoch"),
      );
    else if (parsed > rules.now + rules.maxFutureMs)
      problems.push(
        problem(form.paths.time, "timestampInFuture", `at most ${rules.maxFutureMs / 1000} s ahead of now`),
      );
    else occurredAt = parsed;
  }

  if (!isStringMap(dimensions))
    problems.push(
      problem(form.paths.dimensions, "invalidDimensions", "dimensions must map names to strings"),
    );

  if (problems.length > 0) return refused(problems);
  return {
    usage: {
      metric: metric as string,
      quantity: quantity as number,
      idempotencyKey: key as string,
      occurredAt,
      dimensions: dimensions as Record<string, string>,
      source: form.source,
      subject: form.subject,
    },
    problems: [],
  };
}

interface Form {
  metric: unknown;
  quantity: unknown;
  key: unknown;
  time: unknown;
  dimensions: unknown;
  source: string | null;
  subject: string | null;
  paths: { metric: string; quantity: string; key: string; time: string; dimensions: string };
}

function plainEvent(input: Body): Form {
  return {
    metric: input.metric,
    quantity: input.quantity,
    key: input.idempotency_key,
    time: input.timestamp,
    dimensions: input.dimensions ?? {},
    source: null,
    subject: null,
    paths: {
      metric: "metric",
      quantity: "quantity",
      key: "idempotency_key",
      time: "timestamp",
      dimensions: "dimensions",
    },
  };
}

function cloudEvent(input: Body): Form | { problems: UsageProblem[] } {
  const problems: UsageProblem[] = [];
  if (input.specversion !== "1.0")
    problems.push(problem("specversion", "invalidEvent", "CloudEvents specversion 1.0 is expected"));
  for (const field of ["id", "source"] as const)
    if (typeof input[field] !== "string" || input[field] === "")
      problems.push(
        problem(field, "idempotencyKeyRequired", `CloudEvents ${field} is required (source + id is the key)`),
      );
  if (input.subject !== undefined && input.subject !== null && typeof input.subject !== "string")
    problems.push(problem("subject", "invalidEvent", "subject must be a string"));
  const data = input.data ?? {};
  if (!isObject(data)) problems.push(problem("data", "invalidEvent", "data must be a JSON object"));
  if (problems.length > 0) return { problems };
  const { quantity, value, ...rest } = data as Body;
  const dimensions = Object.fromEntries(
    Object.entries(rest).map(([name, v]) => [name, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  return {
    metric: input.type,
    quantity: quantity ?? value ?? 1,
    // JSON of the pair: no separator a source or an id could contain makes two pairs one key.
    key: JSON.stringify([input.source, input.id]),
    time: input.time,
    dimensions,
    source: input.source as string,
    subject: (input.subject as string | undefined) ?? null,
    paths: {
      metric: "type",
      quantity: "data.quantity",
      key: "id",
      time: "time",
      dimensions: "data",
    },
  };
}

function isStringMap(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((v) => typeof v === "string");
}

function problem(path: string, code: keyof typeof UsageErrorCodes, message: string): UsageProblem {
  return { path, code: UsageErrorCodes[code], message };
}

function refused(problems: UsageProblem[]): { usage: null; problems: UsageProblem[] } {
  return { usage: null, problems };
}

/**
 * What a repeat must say the same to be a repeat: metric, quantity, dimensions and subject. The time is
 * left out on purpose: a client that lets the time default to "now" sends a different one on each retry.
 */
export function fingerprintOf(usage: {
  metric: string;
  quantity: number;
  dimensions: Record<string, string>;
  subject: string | null;
}): string {
  const dimensions = Object.entries(usage.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256")
    .update(JSON.stringify([usage.metric, usage.quantity, dimensions, usage.subject]))
    .digest("base64url")
    .slice(0, 22);
}

/** The record produced to usage.ingest (the UsageReported schema). */
export function reportedRecord(
  accountId: string,
  usage: ReportedUsage,
  actor: Actor,
  correction: UsageCorrection | null = null,
): UsageReported {
  return {
    account_id: accountId,
    idempotency_key: usage.idempotencyKey,
    metric: usage.metric,
    quantity: usage.quantity,
    dimensions: usage.dimensions,
    source: usage.source,
    subject: usage.subject,
    occurred_at: usage.occurredAt,
    actor,
    correction,
  };
}
