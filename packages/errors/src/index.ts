/**
 * One classification of failures for the whole platform (STYLE.md §8): every error a service raises
 * on purpose is a PlatformError with a stable `code` (public API: clients and dashboards key on it)
 * and a `kind`. The kind alone decides the HTTP status, whether a Kafka consumer retries, and whether
 * a message goes to the dead-letter topic, so those three decisions can never disagree.
 */

export type ErrorKind =
  | "invalid_input"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "limit_reached"
  | "rate_limited"
  | "unavailable"
  | "internal";

export interface ErrorOptions {
  /** Details safe to show the caller (field names, limits); never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class PlatformError extends Error {
  readonly details: Record<string, unknown> | undefined;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

export class InvalidInputError extends PlatformError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("invalid_input", code, message, options);
  }
}

export class NotFoundError extends PlatformError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("not_found", code, message, options);
  }
}

export class ConflictError extends PlatformError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("conflict", code, message, options);
  }
}

/** Another writer appended to the same aggregate first; the command may be retried on fresh state. */
export class ConcurrencyConflictError extends ConflictError {
  constructor(aggregateId: string, expectedVersion: number, options?: ErrorOptions) {
    super(
      "concurrency_conflict",
      `aggregate ${aggregateId} changed since version ${expectedVersion}; reload and retry`,
      { ...options, details: { aggregateId, expectedVersion, ...options?.details } },
    );
  }
}

export class UnavailableError extends PlatformError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("unavailable", code, message, options);
  }
}

const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limit_reached: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function httpStatusOf(error: PlatformError): number {
  return HTTP_STATUS[error.kind];
}

/**
 * The SQLSTATE behind an error from `pg` or from a Prisma 7 client on `@prisma/adapter-pg`.
 * Prisma puts it in `meta.driverAdapterError.cause.originalCode` (seen in packages/database/test/prisma-client.test.ts).
 */
const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Prisma's own error codes (P1001, P2002, ...) look like SQLSTATEs; PL/pgSQL's P0001-P0004 are real ones. */
const PRISMA_CODE = /^P[1-9][0-9]{3}$/;

export function sqlStateOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const candidate = current as Record<string, unknown>;
    for (const key of ["originalCode", "code"]) {
      const value = candidate[key];
      if (typeof value === "string" && SQLSTATE.test(value) && !PRISMA_CODE.test(value)) return value;
    }
    queue.push(candidate.meta, candidate.driverAdapterError, candidate.cause);
  }
  return undefined;
}

/** SQLSTATE classes that mean "try again": connection loss, serialization failure, deadlock, shutdown. */
const TRANSIENT_SQLSTATE = /^(08|40001|40P01|57P0[1-3]|53)/;
/** Prisma error codes for an unreachable or overloaded database. */
const TRANSIENT_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2034"]);
const TRANSIENT_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * True when the same work may succeed later unchanged: infrastructure that is down or busy.
 * Anything else (bad data, a bug, a domain rule) fails the same way every time, so a consumer
 * dead-letters it instead of blocking its partition forever.
 */
export function isRetriable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof PlatformError)
      return current.kind === "unavailable" || current.kind === "rate_limited";
    const candidate = current as { code?: unknown; retriable?: unknown; name?: unknown; meta?: unknown };
    if (candidate.retriable === true) return true;
    if (
      typeof candidate.name === "string" &&
      /^KafkaJS(Connection|NumberOfRetriesExceeded|Request.*Timeout)/.test(candidate.name)
    ) {
      return true;
    }
    const code = typeof candidate.code === "string" ? candidate.code : undefined;
    if (code && (TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_NODE_CODES.has(code))) return true;
    const sqlState = sqlStateOf(current);
    if (sqlState && TRANSIENT_SQLSTATE.test(sqlState)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A safe one-line description for logs and dead-letter headers. */
export function describeError(error: unknown): string {
  if (error instanceof PlatformError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
