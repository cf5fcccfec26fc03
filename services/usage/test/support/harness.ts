import { randomBytes } from "node:crypto";
import { generateSigningKey, type SigningKey, signAccessToken } from "@platform/auth";
import { BillingEvent, createTestTopics, IdentityEvent, testEventPublisher } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { createHttpApp, type Serving, serve } from "@platform/http";
import { AvroSerde, createProducer } from "@platform/messaging";
import {
  createTestDatabase,
  httpCaller,
  infrastructure,
  type TestCall,
  TestClock,
  type TestDatabase,
  uniqueName,
  waitFor,
} from "@platform/testkit";
import type { Express } from "express";
import type { Producer } from "kafkajs";
import { loadUsageConfig } from "../../src/config";
import { projectedSchemas, SYSTEM_ACTOR } from "../../src/domain/events";
import { usageHttp } from "../../src/http/routes";
import { MIGRATIONS_DIR, UsageService } from "../../src/service";

export const DAY = 86_400_000;

export type Topic = "usage" | "ingest" | "billing" | "tenancy" | "identity";

export interface Organization {
  accountId: string;
  subscriptionId: string;
  periodStart: number;
  periodEnd: number;
}

export interface Harness {
  service: UsageService;
  app: Express;
  url: string;
  clock: TestClock;
  db: TestDatabase;
  topics: Record<Topic, string>;
  /** A producer of the test's own, on the test's Kafka client (plays backends writing to usage.ingest). */
  producer: Producer;
  /** Plays another service: one domain event on its topic, through the kit's message builder. */
  publish(
    topic: "billing" | "tenancy" | "identity",
    type: string,
    aggregateId: string,
    data: Record<string, unknown>,
  ): Promise<void>;
  /** Plays billing: an organization's trial starts now (a 14-day period with the Starter plan's limits). */
  organization(limits?: Record<string, number>): Promise<Organization>;
  /** An access token as identity signs it, for a person acting in an organization with a role. */
  token(accountId: string, role?: string): Promise<string>;
  /** An API key's access token as identity's exchange signs it. */
  apiKeyToken(accountId: string, scope: string[], keyId?: string): Promise<string>;
  /** Waits until the usage count has applied everything on usage.ingest. */
  counted(): Promise<void>;
  /** Every usage_events row of one organization, by key. */
  rows(accountId: string): Promise<{ idempotencyKey: string; quantity: bigint; counted: boolean }[]>;
  call: TestCall;
  close(): Promise<void>;
}

export const STARTER_LIMITS = { users: 5, projects: 10, storage_gb: 10, api_calls: 10_000 };

/**
 * One usage service per test file as it runs in production: its own database (non-superuser role,
 * row-level security in force), real topics of its own and the real registry, HTTP on a random port,
 * the period closer driven by the test's clock (`service.closeDuePeriods()`). The test plays billing,
 * tenancy and identity.
 */
export async function startUsage(overrides: Record<string, string> = {}): Promise<Harness> {
  const infra = infrastructure();
  const db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "usage_test" });
  const prefix = uniqueName("usage");
  const { kafka, topics } = await createTestTopics({
    brokers: infra.kafkaBrokers,
    registryUrl: infra.schemaRegistryUrl,
    prefix,
    clientId: "usage-test",
    topics: {
      usage: "usage.events",
      ingest: "usage.ingest",
      billing: "billing.events",
      tenancy: "tenancy.events",
      identity: "identity.events",
    },
  });
  const clock = new TestClock();
  const config = loadUsageConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    USAGE_EVENTS_TOPIC: topics.usage,
    USAGE_INGEST_TOPIC: topics.ingest,
    BILLING_EVENTS_TOPIC: topics.billing,
    TENANCY_EVENTS_TOPIC: topics.tenancy,
    IDENTITY_EVENTS_TOPIC: topics.identity,
    READ_MODEL_GROUP: `${prefix}.read-models`,
    // Tests close periods themselves, with the clock where they moved it.
    USAGE_CLOSER_SECONDS: "86400",
    ...overrides,
  });
  const service = new UsageService(config, clock);
  await service.start();
  await service.startWorkers();
  const app = createHttpApp({ logger: service.logger, ...usageHttp(service) });
  const http: Serving = await serve(app, { port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${http.port}`;
  const serde = AvroSerde.connect(infra.schemaRegistryUrl);
  const producer = createProducer(kafka);
  await producer.connect();
  const publish = testEventPublisher({
    producer,
    serde,
    topics,
    schemas: projectedSchemas,
    defaults: () => ({ occurred_at: clock.now().getTime(), actor: SYSTEM_ACTOR }),
    tenantOf: (data) => (typeof data.account_id === "string" ? data.account_id : null),
  });
  const signingKey: SigningKey = await generateSigningKey();

  const harness: Harness = {
    service,
    app,
    url,
    clock,
    db,
    topics,
    producer,
    publish,
    async organization(limits = STARTER_LIMITS) {
      const accountId = `acc_${randomBytes(8).toString("hex")}`;
      const subscriptionId = `sub_${randomBytes(8).toString("hex")}`;
      const periodStart = clock.now().getTime();
      const periodEnd = periodStart + 14 * DAY;
      await harness.publish("billing", BillingEvent.TrialStarted, subscriptionId, {
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
          inTenant(service.db, accountId, (tx) => tx.billingPeriod.findFirst({ where: { accountId } })).then(
            (row) => row ?? undefined,
          ),
        { what: "usage to learn of the trial's period" },
      );
      return { accountId, subscriptionId, periodStart, periodEnd };
    },
    async token(accountId, role = "owner") {
      const userId = `usr_${randomBytes(8).toString("hex")}`;
      return signAccessToken(
        signingKey.privateKey,
        signingKey.kid,
        { typ: "user", sub: userId, sid: `ses_${userId}`, acct: accountId, role },
        { now: clock.now() },
      );
    },
    async apiKeyToken(accountId, scope, keyId = `key_${randomBytes(8).toString("hex")}`) {
      return signAccessToken(
        signingKey.privateKey,
        signingKey.kid,
        { typ: "api_key", sub: keyId, acct: accountId, scope },
        { now: clock.now() },
      );
    },
    async counted() {
      await service.settled();
    },
    async rows(accountId) {
      return inTenant(service.db, accountId, (tx) =>
        tx.usageEvent.findMany({
          where: { accountId },
          select: { idempotencyKey: true, quantity: true, counted: true },
          orderBy: { idempotencyKey: "asc" },
        }),
      );
    },
    call: httpCaller(url),
    async close() {
      await producer.disconnect();
      await http.close();
      await service.stop();
      await db.drop();
    },
  };

  // identity's public key reaches usage the production way: SigningKeyPublished on identity's topic.
  await harness.publish("identity", IdentityEvent.SigningKeyPublished, `signing_key:${signingKey.kid}`, {
    key_id: signingKey.kid,
    algorithm: "EdDSA",
    public_key_jwk: JSON.stringify(signingKey.publicJwk),
    not_before: clock.now().getTime() - 60_000,
  });
  await waitFor(() => service.access.keyRing.kids().includes(signingKey.kid) || undefined, {
    what: "usage to trust the test signing key",
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
