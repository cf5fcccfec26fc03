import { env, loadConfig, platformEnv } from "@platform/config";
import { z } from "zod";

export const identityConfigSchema = z.object({
  ...platformEnv({ defaultPort: 3001 }),
  /** Where people and identity providers reach this service: links in e-mails, SAML ACS, SCIM base. */
  IDENTITY_PUBLIC_URL: env.url().default("http://localhost:3001"),
  ACCESS_TOKEN_TTL_SECONDS: env.int({ min: 60, max: 3600 }).default(900),
  REFRESH_TOKEN_TTL_DAYS: env.int({ min: 1, max: 90 }).default(30),
  /** identity's own event log, and the topics it projects; other names only for isolated tests. */
  IDENTITY_EVENTS_TOPIC: env.string().default("identity.events"),
  TENANCY_EVENTS_TOPIC: env.string().default("tenancy.events"),
  BILLING_EVENTS_TOPIC: env.string().default("billing.events"),
  /** Users an organization may have before billing announces a plan; the same default as tenancy's. */
  SEAT_LIMIT_WITHOUT_PLAN: env.int({ min: -1 }).default(5),
  /** Consumer group (and offset owner) of identity's read models. */
  READ_MODEL_GROUP: env.string().default("identity-read-models"),
  /** Failed sign-ins allowed per e-mail address, then per client address, in SIGN_IN_WINDOW_SECONDS. */
  SIGN_IN_FAILURES_PER_ACCOUNT: env.int({ min: 1 }).default(10),
  SIGN_IN_FAILURES_PER_ADDRESS: env.int({ min: 1 }).default(100),
  SIGN_IN_WINDOW_SECONDS: env.int({ min: 1 }).default(900),
});

export type IdentityConfig = z.output<typeof identityConfigSchema>;

export function loadIdentityConfig(environment: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadConfig(identityConfigSchema, { SERVICE_NAME: "identity", ...environment });
}
