import { env, loadConfig, platformEnv } from "@platform/config";
import { z } from "zod";

export const billingConfigSchema = z.object({
  ...platformEnv({ defaultPort: 3003 }),
  /** How often the scheduler runs due transitions (trial reminders and ends, renewals); tests drive it themselves. */
  BILLING_SCHEDULER_SECONDS: env.int({ min: 1 }).default(60),
  /** Days after a first failed payment at which it is retried, ascending, comma-separated (seed 001: 3, and before day 7). */
  BILLING_DUNNING_RETRY_DAYS: env
    .string()
    .regex(/^\d+(,\d+)*$/, "comma-separated whole days, e.g. 3,6")
    .default("3,6"),
  /** Days after a first failed payment at which the subscription is suspended (after the last retry). */
  BILLING_DUNNING_SUSPEND_DAYS: env.int({ min: 1 }).default(7),
  /** How long a renewal's invoice waits for usage's UsagePeriodClosed before it is finalized without overages. */
  BILLING_USAGE_GRACE_SECONDS: env.int({ min: 0 }).default(3600),
  /** The issuer of invoice and credit-note numbers: one gapless series per issuer and year. */
  BILLING_INVOICE_ISSUER: env.string().default("platform"),
  BILLING_EVENTS_TOPIC: env.string().default("billing.events"),
  USAGE_EVENTS_TOPIC: env.string().default("usage.events"),
  TENANCY_EVENTS_TOPIC: env.string().default("tenancy.events"),
  IDENTITY_EVENTS_TOPIC: env.string().default("identity.events"),
  /**
   * The platform operator's bearer token for the routes across every organization (GET
   * /v1/billing/metrics), at least 32 characters; unset, nobody reaches them. A secret: compared in
   * constant time, never logged (docs/billing.md, Operator access).
   */
  BILLING_OPERATOR_TOKEN: env.string().min(32, { error: "must be at least 32 characters" }).optional(),
  /** Consumer group prefix of billing's projectors (`<group>` read models, `<group>.processes`). */
  READ_MODEL_GROUP: env.string().default("billing-read-models"),
  /** Who issues the invoices, as their HTML and PDF print it. */
  BILLING_ISSUER_NAME: env.string().default("SaaS Platform, Inc."),
  /** The issuer's postal address: one printed line per `|`-separated part. */
  BILLING_ISSUER_ADDRESS: z
    .string()
    .default("")
    .transform((lines) =>
      lines
        .split("|")
        .map((line) => line.trim())
        .filter((line) => line !== ""),
    ),
  BILLING_ISSUER_EMAIL: env.string().optional(),
  /**
   * Test clocks (docs/billing.md): "true" serves their routes, for a sandbox or staging deployment where
   * organizations test their billing integration; anything else (the default) leaves the routes out (404).
   */
  BILLING_TEST_CLOCKS: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
});

export type BillingConfig = z.output<typeof billingConfigSchema>;

export function loadBillingConfig(environment: NodeJS.ProcessEnv = process.env): BillingConfig {
  return loadConfig(billingConfigSchema, { SERVICE_NAME: "billing", ...environment });
}
