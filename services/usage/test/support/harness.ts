import { randomBytes } from "node:crypto";
import { BillingEvent, UsageEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { Headers, readHeader } from "@platform/messaging";
import { type ServiceHarness, startServiceHarness } from "@platform/service-harness";
import { waitFor } from "@platform/testkit";
import { loadUsageConfig } from "../../src/config";
import { projectedSchemas, SYSTEM_ACTOR } from "../../src/domain/events";
import { usageHttp } from "../../src/http/routes";
import { MIGRATIONS_DIR, UsageService, type UsageServiceOptions } from "../../src/service";

export const DAY = 86_400_000;

export type Topic = "usage" | "ingest" | "billing" | "tenancy" | "identity";

export interface Organization {
  accountId: string;
  subscriptionId: string;
  periodStart: number;
  periodEnd: number;
}

export interface Harness extends ServiceHarness<UsageService, Topic, UsageServiceOptions> {
  /** Plays billing: an organization's trial starts now (a 14-day period with the Starter plan's limits). */
  organization(limits?: Record<string, number>): Promise<Organization>;
  /** An access token as identity signs it, for a person acting in an organization with a role. */
  token(accountId: string, role?: string): Promise<string>;
  /** Waits until the usage count has applied everything on usage.ingest. */
  counted(): Promise<void>;
  /** Every usage_events row of one organization, by key. */
  rows(accountId: string): Promise<{ idempotencyKey: string; quantity: bigint; counted: boolean }[]>;
  /** The organization's QuotaRequestDenied events on usage.events, read from the start until at least one is there. */
  denials(accountId: string): Promise<Record<string, unknown>[]>;
}

export const STARTER_LIMITS = { users: 5, projects: 10, storage_gb: 10, api_calls: 10_000 };

/**
 * One usage service per test file as it runs in production: its own database (non-superuser role,
 * row-level security in force), real topics of its own and the real registry, HTTP on a random port,
 * the period closer driven by the test's clock (`service.closeDuePeriods()`). The test plays billing,
 * tenancy and identity.
 */
export async function startUsage(overrides: Record<string, string> = {}): Promise<Harness> {
  const kit = await startServiceHarness({
    name: "usage",
    migrationsDir: MIGRATIONS_DIR,
    topics: {
      usage: "usage.events",
      ingest: "usage.ingest",
      billing: "billing.events",
      tenancy: "tenancy.events",
      identity: "identity.events",
    },
    // Tests close periods themselves, with the clock where they moved it. The test's clock and seams
    // reach only a count on the main thread (count-thread.test.ts overrides USAGE_COUNT).
    env: { USAGE_CLOSER_SECONDS: "86400", USAGE_COUNT: "inline" },
    overrides,
    create: (env, clock) => new UsageService(loadUsageConfig(env), clock),
    http: (service) => usageHttp(service),
    events: {
      schemas: projectedSchemas,
      actor: SYSTEM_ACTOR,
      tenantField: "account_id",
    },
    keyRing: (service) => service.access.keyRing,
  });
  const harness: Harness = Object.assign(kit, {
    async organization(limits: Record<string, number> = STARTER_LIMITS) {
      const accountId = `acc_${randomBytes(8).toString("hex")}`;
      const subscriptionId = `sub_${randomBytes(8).toString("hex")}`;
      const periodStart = kit.clock.now().getTime();
      const periodEnd = periodStart + 14 * DAY;
      await kit.publish("billing", BillingEvent.TrialStarted, subscriptionId, {
        account_id: accountId,
        subscription_id: subscriptionId,
        subscription_status: "trialing",
        current_period_start: periodStart,
        current_period_end: periodEnd,
        mrr_cents: 0,
        plan: planSnapshot(limits),
        trial_end: periodEnd,
        trial_days: 14,
      });
      await waitFor(
        () =>
          inTenant(kit.service.db, accountId, (tx) =>
            tx.billingPeriod.findFirst({ where: { accountId } }),
          ).then((row) => row ?? undefined),
        { what: "usage to learn of the trial's period" },
      );
      return { accountId, subscriptionId, periodStart, periodEnd };
    },
    token: (accountId: string, role = "owner") =>
      kit.userToken(`usr_${randomBytes(8).toString("hex")}`, accountId, role),
    async counted() {
      await kit.service.settled();
    },
    rows: (accountId: string) =>
      inTenant(kit.service.db, accountId, (tx) =>
        tx.usageEvent.findMany({
          where: { accountId },
          select: { idempotencyKey: true, quantity: true, counted: true },
          orderBy: { idempotencyKey: "asc" },
        }),
      ),
    async denials(accountId: string) {
      const consumer = kit.service.kafka.consumer({
        groupId: `${kit.topics.usage}.denials-${randomBytes(4).toString("hex")}`,
      });
      const denials: Record<string, unknown>[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: kit.topics.usage, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (readHeader(message.headers, Headers.eventType) !== UsageEvent.QuotaRequestDenied) return;
          const data = (await kit.service.serde.decode(message.value as Buffer)) as Record<string, unknown>;
          if (data.account_id === accountId) denials.push(data);
        },
      });
      try {
        await waitFor(() => (denials.length > 0 ? true : undefined), { what: "the QuotaRequestDenied" });
      } finally {
        await consumer.disconnect();
      }
      return denials;
    },
  });
  return harness;
}

/** billing's PlanSnapshot as its events carry it. */
export function planSnapshot(limits: Record<string, number>, planId = "starter"): Record<string, unknown> {
  return {
    plan_id: planId,
    name: planId,
    interval: "month",
    price_cents: 4900,
    currency: "USD",
    limits,
    overage_unit_prices: { api_calls: "0.005" },
    features: [],
  };
}
