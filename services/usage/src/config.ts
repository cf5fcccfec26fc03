import { env, loadConfig, platformEnv } from "@platform/config";
import { z } from "zod";

const window = z.object({
  limit: z.number().int().min(1),
  windowSeconds: z.number().int().min(1),
  /**
   * The per-second rate under the window (docs/usage.md, "Rate limits"): when not given, twice the
   * window's average rate (`burstFor` in src/http/quota-routes.ts); `false` for none.
   */
  burst: z
    .union([
      z.literal(false),
      z.object({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1).optional() }),
    ])
    .optional(),
});
/** Per plan id (billing's `plan_id`, or `default` for an organization without a known plan): the two APIs' windows. */
const rateLimits = z
  .record(z.string().regex(/^[\x20-\x7e]{1,64}$/), z.object({ ingest: window, check: window }))
  .refine((plans) => "default" in plans, { error: "must have a default entry" });
export type UsageRateLimits = z.output<typeof rateLimits>;

/** Requests per minute and organization (docs/usage.md, "Rate limits"); a batch is one request. */
export const DEFAULT_RATE_LIMITS: UsageRateLimits = {
  default: { ingest: { limit: 600, windowSeconds: 60 }, check: { limit: 6_000, windowSeconds: 60 } },
  starter: { ingest: { limit: 1_200, windowSeconds: 60 }, check: { limit: 12_000, windowSeconds: 60 } },
  professional: { ingest: { limit: 6_000, windowSeconds: 60 }, check: { limit: 60_000, windowSeconds: 60 } },
  enterprise: { ingest: { limit: 30_000, windowSeconds: 60 }, check: { limit: 300_000, windowSeconds: 60 } },
};

export const usageConfigSchema = z.object({
  ...platformEnv({ defaultPort: 3004 }),
  /** How long after a billing period's end late events are still counted in it, before it closes. */
  USAGE_GRACE_SECONDS: env.int({ min: 0 }).default(3600),
  /** How often the period closer looks for periods past their grace; tests drive it themselves. */
  USAGE_CLOSER_SECONDS: env.int({ min: 1 }).default(60),
  /** Most events in one `POST …/usage/batch`. */
  USAGE_MAX_BATCH: env.int({ min: 1, max: 10_000 }).default(1000),
  /** How far ahead of the service's clock an event's timestamp may be (clock skew of the reporters). */
  USAGE_MAX_FUTURE_SECONDS: env.int({ min: 0 }).default(3600),
  /**
   * An event of a closed period: refused at the edge (409 period_closed) and kept uncounted by the count
   * (`refuse`), or counted as a UsageAdjusted of that period that billing adds to the next invoice (`adjust`).
   */
  USAGE_LATE_EVENTS: z.enum(["refuse", "adjust"]).default("refuse"),
  USAGE_EVENTS_TOPIC: env.string().default("usage.events"),
  /** The fact stream: the HTTP API produces here, backends may too, the usage count consumes it. */
  USAGE_INGEST_TOPIC: env.string().default("usage.ingest"),
  BILLING_EVENTS_TOPIC: env.string().default("billing.events"),
  TENANCY_EVENTS_TOPIC: env.string().default("tenancy.events"),
  IDENTITY_EVENTS_TOPIC: env.string().default("identity.events"),
  /** Per-plan rate limits of the ingest and quota-check APIs as JSON (the shape of DEFAULT_RATE_LIMITS). */
  USAGE_RATE_LIMITS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(rateLimits)
    .default(DEFAULT_RATE_LIMITS),
  /**
   * Most requests of one organization in progress at once on each rate-limited API (ingest, check):
   * one tenant cannot hold the database pool or the event loop's queue (429 `concurrency_limited`).
   */
  USAGE_MAX_CONCURRENT: env.int({ min: 1 }).default(16),
  /**
   * After a 429 of the rate-limited APIs, the refused connection is not read for its Retry-After, at
   * most this many ms (0: never): a flooding client's next requests wait in the kernel instead of
   * costing the event loop a parse and another 429 each. A per-second rate's refusal is held until
   * its second is over plus a random part of the next (so up to 2 s: an organization's connections
   * come back spread over the next second, not together). Set 0 behind a proxy that pools several
   * organizations' requests over one connection.
   */
  USAGE_REFUSED_PAUSE_MS: env.int({ min: 0, max: 10_000 }).default(2_000),
  /**
   * Where the usage count runs: in a worker thread of its own (`thread`: its round trips to Postgres do
   * not wait behind the HTTP edge's work on one event loop, and it gets a core of its own), or on the
   * process's main thread (`inline`: what tests driving the service's clock, or seams inside the
   * count's transaction, need).
   */
  USAGE_COUNT: z.enum(["thread", "inline"]).default("thread"),
  /** Consumer group prefix of usage's projectors (`<group>` read models, `<group>.count` the usage count). */
  READ_MODEL_GROUP: env.string().default("usage-read-models"),
});

export type UsageConfig = z.output<typeof usageConfigSchema>;

export function loadUsageConfig(environment: NodeJS.ProcessEnv = process.env): UsageConfig {
  return loadConfig(usageConfigSchema, { SERVICE_NAME: "usage", ...environment });
}
