import { randomBytes } from "node:crypto";
import { TenancyEvent } from "@platform/contracts";
import { type ServiceHarness, startServiceHarness } from "@platform/service-harness";
import { waitFor } from "@platform/testkit";
import { loadBillingConfig } from "../../src/config";
import { projectedSchemas, SYSTEM_ACTOR } from "../../src/domain/events";
import type { Subscription } from "../../src/generated/prisma/client";
import { billingRoutes } from "../../src/http/routes";
import { BillingService, type BillingServiceOptions, MIGRATIONS_DIR } from "../../src/service";

export interface Harness
  extends ServiceHarness<
    BillingService,
    "billing" | "tenancy" | "identity" | "usage",
    BillingServiceOptions
  > {
  /** Plays tenancy: an organization is created (OrganizationCreated), and billing's trial for it is awaited. */
  organization(name?: string): Promise<{ accountId: string; subscription: Subscription }>;
  /** An access token as identity signs it, for a person acting in an organization with a role. */
  token(accountId: string, role?: string): Promise<string>;
}

/**
 * One billing service per test file as it runs in production: its own database (non-superuser role,
 * row-level security in force), real topics of its own and the real registry, HTTP on a random port,
 * the scheduler driven by the test's clock (`service.runScheduler()`). The test plays tenancy and identity.
 */
export async function startBilling(
  overrides: Record<string, string> = {},
  options: BillingServiceOptions = {},
): Promise<Harness> {
  const kit = await startServiceHarness({
    name: "billing",
    migrationsDir: MIGRATIONS_DIR,
    topics: {
      billing: "billing.events",
      tenancy: "tenancy.events",
      identity: "identity.events",
      usage: "usage.events",
    },
    // Tests run the scheduler themselves, with the clock where they moved it.
    env: { BILLING_SCHEDULER_SECONDS: "86400" },
    overrides,
    create: (env, clock, serviceOptions) => new BillingService(loadBillingConfig(env), clock, serviceOptions),
    options,
    http: (service) => ({ routes: billingRoutes(service) }),
    events: {
      schemas: projectedSchemas,
      actor: SYSTEM_ACTOR,
      tenantField: "account_id",
    },
    keyRing: (service) => service.access.keyRing,
  });
  const harness: Harness = Object.assign(kit, {
    async organization(name = "Acme") {
      const accountId = `acc_${randomBytes(8).toString("hex")}`;
      await kit.publish(
        "tenancy",
        TenancyEvent.OrganizationCreated,
        accountId,
        organizationCreated(accountId, name),
      );
      const subscription = await waitFor(
        () => kit.service.subscriptions.get(accountId).catch(() => undefined),
        { what: `billing to start ${name}'s trial` },
      );
      return { accountId, subscription };
    },
    token: (accountId: string, role = "owner") =>
      kit.userToken(`usr_${randomBytes(8).toString("hex")}`, accountId, role),
  });
  return harness;
}

/** tenancy's OrganizationCreated as tenancy writes it. */
export function organizationCreated(accountId: string, name: string): Record<string, unknown> {
  return {
    account_id: accountId,
    name,
    description: null,
    url: null,
    email: null,
    telephone: null,
    number_of_employees: null,
    founding_date: null,
    industry: null,
    address: null,
    settings: { timezone: "UTC", date_format: "YYYY-MM-DD", currency: "USD", language: "en" },
    status: "created",
    created_by_user_id: "usr_founder",
  };
}
