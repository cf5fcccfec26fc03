import { randomBytes } from "node:crypto";
import { generateSigningKey, type SigningKey, signAccessToken } from "@platform/auth";
import { createTestTopics, IdentityEvent, TenancyEvent, testEventPublisher } from "@platform/contracts";
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
import { loadBillingConfig } from "../../src/config";
import { projectedSchemas, SYSTEM_ACTOR } from "../../src/domain/events";
import type { Subscription } from "../../src/generated/prisma/client";
import { billingRoutes } from "../../src/http/routes";
import { BillingService, type BillingServiceOptions, MIGRATIONS_DIR } from "../../src/service";

export interface Harness {
  service: BillingService;
  app: Express;
  url: string;
  clock: TestClock;
  db: TestDatabase;
  topics: { billing: string; tenancy: string; identity: string; usage: string };
  /** Plays another service: one domain event on its topic, through the kit's message builder. */
  publish(
    topic: "tenancy" | "identity" | "usage",
    type: string,
    aggregateId: string,
    data: Record<string, unknown>,
  ): Promise<void>;
  /** Plays tenancy: an organization is created (OrganizationCreated), and billing's trial for it is awaited. */
  organization(name?: string): Promise<{ accountId: string; subscription: Subscription }>;
  /** An access token as identity signs it, for a person acting in an organization with a role. */
  token(accountId: string, role?: string): Promise<string>;
  call: TestCall;
  /** Stops the service and starts another on the same database, topics and clock (a deploy), with `options`. */
  restart(options?: BillingServiceOptions): Promise<void>;
  close(): Promise<void>;
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
  const infra = infrastructure();
  const db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "billing_test" });
  const prefix = uniqueName("billing");
  const { kafka, topics } = await createTestTopics({
    brokers: infra.kafkaBrokers,
    registryUrl: infra.schemaRegistryUrl,
    prefix,
    clientId: "billing-test",
    topics: {
      billing: "billing.events",
      tenancy: "tenancy.events",
      identity: "identity.events",
      usage: "usage.events",
    },
  });
  const clock = new TestClock();
  const config = loadBillingConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    BILLING_EVENTS_TOPIC: topics.billing,
    TENANCY_EVENTS_TOPIC: topics.tenancy,
    IDENTITY_EVENTS_TOPIC: topics.identity,
    USAGE_EVENTS_TOPIC: topics.usage,
    READ_MODEL_GROUP: `${prefix}.read-models`,
    // Tests run the scheduler themselves, with the clock where they moved it.
    BILLING_SCHEDULER_SECONDS: "86400",
    ...overrides,
  });
  const launch = async (launchOptions: BillingServiceOptions) => {
    const service = new BillingService(config, clock, launchOptions);
    await service.start();
    await service.startWorkers();
    const app = createHttpApp({ logger: service.logger, routes: billingRoutes(service) });
    const http: Serving = await serve(app, { port: 0, host: "127.0.0.1" });
    return { service, app, http, url: `http://127.0.0.1:${http.port}` };
  };
  let { service, app, http, url } = await launch(options);
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
    publish,
    async organization(name = "Acme") {
      const accountId = `acc_${randomBytes(8).toString("hex")}`;
      await harness.publish(
        "tenancy",
        TenancyEvent.OrganizationCreated,
        accountId,
        organizationCreated(accountId, name),
      );
      const subscription = await waitFor(() => service.subscriptions.get(accountId).catch(() => undefined), {
        what: `billing to start ${name}'s trial`,
      });
      return { accountId, subscription };
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
    call: httpCaller(url),
    async restart(restartOptions = {}) {
      await http.close();
      await service.stop();
      ({ service, app, http, url } = await launch(restartOptions));
      Object.assign(harness, { service, app, url, call: httpCaller(url) });
    },
    async close() {
      await producer.disconnect();
      await http.close();
      await service.stop();
      await db.drop();
    },
  };

  // identity's public key reaches billing the production way: SigningKeyPublished on identity's topic.
  await harness.publish("identity", IdentityEvent.SigningKeyPublished, `signing_key:${signingKey.kid}`, {
    key_id: signingKey.kid,
    algorithm: "EdDSA",
    public_key_jwk: JSON.stringify(signingKey.publicJwk),
    not_before: clock.now().getTime() - 60_000,
  });
  await waitFor(() => service.access.keyRing.kids().includes(signingKey.kid) || undefined, {
    what: "billing to trust the test signing key",
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
