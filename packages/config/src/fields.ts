import { z } from "zod";

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `host:port` or `[ipv6]:port`, with a port from 1 to 65535. */
function isHostPort(entry: string): boolean {
  const match = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[1]);
  return match !== null && port >= 1 && port <= 65535;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** A non-blank string, trimmed. */
function string() {
  return z.string().trim().min(1, { error: "must not be empty" });
}

/** An absolute URL with one of `protocols` (default http and https); stays a string. */
function url(options: { protocols?: readonly string[] } = {}) {
  const protocols = options.protocols ?? ["http", "https"];
  return z
    .string()
    .trim()
    .pipe(
      z.url({
        protocol: new RegExp(`^(?:${protocols.map(escapeRegExp).join("|")})$`),
        error: `must be a URL starting with ${protocols.map((protocol) => `${protocol}://`).join(" or ")}`,
      }),
    );
}

/** A Postgres connection URL (`postgres://` or `postgresql://`), as Prisma and pg accept it. */
function postgresUrl() {
  return url({ protocols: ["postgres", "postgresql"] });
}

/** A whole number within [min, max]. Chain `.default(n)` or `.optional()` as needed. */
function int(options: { min?: number; max?: number } = {}) {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const range =
    options.min !== undefined && options.max !== undefined
      ? ` from ${min} to ${max}`
      : options.min !== undefined
        ? ` of at least ${min}`
        : options.max !== undefined
          ? ` of at most ${max}`
          : "";
  const error = `must be an integer${range}`;
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, { error })
    .transform(Number)
    .pipe(z.number().int().min(min, { error }).max(max, { error }));
}

/** A TCP port (1–65535); `defaultPort` when unset. */
function port(defaultPort: number) {
  return int({ min: 1, max: 65535 }).default(defaultPort);
}

/** A comma-separated list of at least one non-blank entry, e.g. `a, b,c` → `["a", "b", "c"]`. */
function list() {
  return z
    .string()
    .transform(splitList)
    .pipe(z.array(z.string()).min(1, { error: "must list at least one comma-separated value" }));
}

/** Kafka bootstrap servers: a comma-separated `host:port` list, e.g. `kafka-1:9092,kafka-2:9092`. */
function kafkaBrokers() {
  return z
    .string()
    .transform(splitList)
    .pipe(
      z
        .array(z.string())
        .min(1, { error: "must list at least one host:port" })
        .check((ctx) => {
          const bad = ctx.value.filter((entry) => !isHostPort(entry));
          if (bad.length > 0) {
            ctx.issues.push({
              code: "custom",
              input: ctx.value,
              message: `must be a comma-separated list of host:port (not ${bad.map((entry) => `"${entry}"`).join(", ")})`,
            });
          }
        }),
    );
}

/** One of pino's levels, case-insensitive; `info` when unset. */
function logLevel() {
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }))
    .default("info");
}

/** A service name as used in client ids, consumer groups and telemetry: lower-case, digits, dashes. */
function serviceName() {
  return z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]*$/, {
      error: "must be lower-case letters, digits and dashes, starting with a letter",
    });
}

/** Field builders for `z.object({...})` schemas of environment variables. All take strings. */
export const env = { string, url, postgresUrl, int, port, list, kafkaBrokers, logLevel, serviceName };

/**
 * The variables every service reads, to spread into its own schema:
 * `loadConfig(z.object({ ...platformEnv({ defaultPort: 3001 }), SMTP_URL: env.url({ protocols: ["smtp"] }) }))`.
 */
export function platformEnv(options: { defaultPort: number }) {
  return {
    SERVICE_NAME: serviceName(),
    LOG_LEVEL: logLevel(),
    PORT: port(options.defaultPort),
    KAFKA_BROKERS: kafkaBrokers(),
    /** Defaults to SERVICE_NAME where the service builds its Kafka client. */
    KAFKA_CLIENT_ID: string().optional(),
    SCHEMA_REGISTRY_URL: url(),
    DATABASE_URL: postgresUrl(),
    /**
     * How long revocations of access tokens are kept (identity's AccessRevoked): at least the longest
     * access-token lifetime; a token that would live longer is refused.
     */
    REVOCATION_WINDOW_SECONDS: int({ min: 60 }).default(3600),
  };
}
