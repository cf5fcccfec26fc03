import { createTestTopics, publishDomainEvent, TenancyEvent } from "@platform/contracts";
import { assertRebuildEqual, privilegedUrlOf } from "@platform/event-sourcing";
import { createHttpApp, type Serving, serve } from "@platform/http";
import { AvroSerde, createProducer } from "@platform/messaging";
import type { LoggerOptions } from "@platform/observability";
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
import { accessOf } from "../../src/app/access";
import { loadIdentityConfig } from "../../src/config";
import { identityHttp } from "../../src/http";
import { readerSchemas } from "../../src/projections/read-models";
import { IdentityService, MIGRATIONS_DIR } from "../../src/service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../../src/tables";

export interface Harness {
  service: IdentityService;
  /** The HTTP app as served, for routeTableOf. */
  app: Express;
  clock: TestClock;
  url: string;
  db: TestDatabase;
  topics: { identity: string; tenancy: string; billing: string };
  /** Publishes a tenancy event the way tenancy's relay does, for identity's projector to apply. */
  publishTenancyEvent(
    type: string,
    aggregateId: string,
    version: number,
    data: Record<string, unknown>,
  ): Promise<void>;
  /** Publishes a billing event the way billing's relay does (plans and their seat limits). */
  publishBillingEvent(
    type: string,
    aggregateId: string,
    version: number,
    data: Record<string, unknown>,
  ): Promise<void>;
  /** An organization member with a role, as tenancy would announce it. */
  addMember(accountId: string, userId: string, role: string): Promise<void>;
  call: TestCall;
  close(): Promise<void>;
}

/**
 * One identity service per test file, as it runs in production: its own database (as a non-superuser
 * role), real Kafka topics (unique per file) and the real registry, the HTTP API on a random port.
 */
export async function startIdentity(
  overrides: Record<string, string> = {},
  options: { logDestination?: LoggerOptions["destination"] } = {},
): Promise<Harness> {
  const infra = infrastructure();
  const db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "identity_test" });
  const prefix = uniqueName("identity");
  const { topics } = await createTestTopics({
    brokers: infra.kafkaBrokers,
    registryUrl: infra.schemaRegistryUrl,
    prefix,
    clientId: "identity-test",
    topics: { identity: "identity.events", tenancy: "tenancy.events", billing: "billing.events" },
  });
  const clock = new TestClock();
  const config = loadIdentityConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    IDENTITY_EVENTS_TOPIC: topics.identity,
    TENANCY_EVENTS_TOPIC: topics.tenancy,
    BILLING_EVENTS_TOPIC: topics.billing,
    READ_MODEL_GROUP: `${prefix}.read-models`,
    IDENTITY_PUBLIC_URL: "http://identity.test",
    ...overrides,
  });
  const service = new IdentityService(config, clock, options.logDestination);
  await service.start();
  await service.startWorkers();
  const app = createHttpApp({ logger: service.logger, ...identityHttp(service) });
  const http: Serving = await serve(app, { port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${http.port}`;

  const serde = AvroSerde.connect(infra.schemaRegistryUrl);
  const producer = createProducer(service.kafka);
  await producer.connect();

  const publish = async (
    topic: string,
    type: string,
    aggregateId: string,
    version: number,
    data: Record<string, unknown>,
  ) => {
    const schema = readerSchemas[type];
    if (!schema) throw new Error(`unknown event type ${type}`);
    await publishDomainEvent({ producer, serde, topic, schema, type, aggregateId, version, data });
  };

  const harness: Harness = {
    service,
    app,
    clock,
    url,
    db,
    topics,
    async publishTenancyEvent(type, aggregateId, version, data) {
      await publish(topics.tenancy, type, aggregateId, version, data);
    },
    async publishBillingEvent(type, aggregateId, version, data) {
      await publish(topics.billing, type, aggregateId, version, data);
    },
    async addMember(accountId, userId, role) {
      await harness.publishTenancyEvent(TenancyEvent.MemberAdded, `${accountId}:${userId}`, 1, {
        account_id: accountId,
        user_id: userId,
        group_id: accountId,
        group_type: "account",
        role,
        source: "admin",
        occurred_at: Date.now(),
        actor: { type: "system", id: null, ip_address: null, user_agent: null },
      });
      await waitFor(
        () => accessOf(service.db, userId, accountId).then((row) => row?.role === role || undefined),
        { what: `membership of ${userId} in ${accountId}` },
      );
    },
    call: httpCaller(url),
    async close() {
      try {
        // PROVE_REBUILD=1: every test file ends with the rebuild proof over what its scenarios left.
        if (process.env.PROVE_REBUILD === "1") {
          await service.settled();
          await assertRebuildEqual("identity", {
            databaseUrl: privilegedUrlOf(db.url, infra.postgresAdminUrl),
            classes: TABLE_CLASSES,
            unreplayedColumns: UNREPLAYED_COLUMNS,
            rebuild: () => service.rebuildAll(),
          });
        }
      } finally {
        await producer.disconnect();
        await http.close();
        await service.stop();
        await db.drop();
      }
    },
  };
  return harness;
}

/** The one-time link identity queued for the mailer, as the recipient would click it. */
export async function lastEmailToken(
  service: IdentityService,
  recipient: string,
  template: string,
): Promise<string> {
  const email = await service.db.outboundEmail.findFirst({
    where: { recipient, template },
    orderBy: { createdAt: "desc" },
  });
  const link = (email?.variables as { link?: string } | undefined)?.link;
  const token = link ? new URL(link).searchParams.get("token") : null;
  if (!token) throw new Error(`no ${template} e-mail to ${recipient}`);
  return token;
}
