import { env, loadConfig, platformEnv } from "@platform/config";
import { z } from "zod";
import type { AssignmentRule } from "./domain/success-reps";

export const tenancyConfigSchema = z.object({
  ...platformEnv({ defaultPort: 3002 }),
  /** Base of invitation links (`GET /v1/invitations/open` is served here). */
  TENANCY_PUBLIC_URL: env.url().default("http://localhost:3002"),
  /** Where an invitee signs up or in with the invitation (identity's public URL). */
  IDENTITY_PUBLIC_URL: env.url().default("http://localhost:3001"),
  /** Users an organization may have before billing has announced a plan; -1 unlimited. */
  SEAT_LIMIT_WITHOUT_PLAN: env.int({ min: -1 }).default(5),
  /** Projects (not archived) an organization may have without a plan; -1 unlimited (Starter's 10). */
  PROJECT_LIMIT_WITHOUT_PLAN: env.int({ min: -1 }).default(10),
  /** How often SLA warnings and breaches are swept for (tests drive sweeps themselves). */
  SLA_SWEEP_SECONDS: env.int({ min: 1 }).default(60),
  INVITATION_TTL_DAYS: env.int({ min: 1, max: 90 }).default(7),
  /** Success-rep assignment rules (JSON array of {id, priority, match, reps}); empty: no assignment. */
  SUCCESS_REP_RULES: env
    .string()
    .default("[]")
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as AssignmentRule[];
      } catch {
        ctx.addIssue({ code: "custom", message: "must be a JSON array of assignment rules" });
        return z.NEVER;
      }
    }),
  TENANCY_EVENTS_TOPIC: env.string().default("tenancy.events"),
  IDENTITY_EVENTS_TOPIC: env.string().default("identity.events"),
  BILLING_EVENTS_TOPIC: env.string().default("billing.events"),
  READ_MODEL_GROUP: env.string().default("tenancy-read-models"),
});

export type TenancyConfig = z.output<typeof tenancyConfigSchema>;

export function loadTenancyConfig(environment: NodeJS.ProcessEnv = process.env): TenancyConfig {
  return loadConfig(tenancyConfigSchema, { SERVICE_NAME: "tenancy", ...environment });
}
