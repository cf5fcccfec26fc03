import { env, loadConfig, platformEnv } from "@platform/config";
import { z } from "zod";

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
  USAGE_EVENTS_TOPIC: env.string().default("usage.events"),
  /** The fact stream: the HTTP API produces here, backends may too, the usage count consumes it. */
  USAGE_INGEST_TOPIC: env.string().default("usage.ingest"),
  BILLING_EVENTS_TOPIC: env.string().default("billing.events"),
  TENANCY_EVENTS_TOPIC: env.string().default("tenancy.events"),
  IDENTITY_EVENTS_TOPIC: env.string().default("identity.events"),
  /** Consumer group prefix of usage's projectors (`<group>` read models, `<group>.count` the usage count). */
  READ_MODEL_GROUP: env.string().default("usage-read-models"),
});

export type UsageConfig = z.output<typeof usageConfigSchema>;

export function loadUsageConfig(environment: NodeJS.ProcessEnv = process.env): UsageConfig {
  return loadConfig(usageConfigSchema, { SERVICE_NAME: "usage", ...environment });
}
