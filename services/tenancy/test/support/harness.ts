import { randomBytes } from "node:crypto";
import { generateSigningKey, type SigningKey, signAccessToken } from "@platform/auth";
import { createTestTopics, IdentityEvent, testEventPublisher } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { assertRebuildEqual, privilegedUrlOf } from "@platform/event-sourcing";
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
import { loadTenancyConfig } from "../../src/config";
import { projectedSchemas } from "../../src/domain/events";
import { tenancyRoutes } from "../../src/http/routes";
import { MIGRATIONS_DIR, TenancyService, type TenancyServiceOptions } from "../../src/service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../../src/tables";

const system = { type: "system", id: null, ip_address: null, user_agent: null };

export interface Harness {
  service: TenancyService;
  /** The HTTP app as served, for routeTableOf, and where it listens. */
  app: Express;
  url: string;
  clock: TestClock;
  db: TestDatabase;
  topics: { tenancy: string; identity: string; billing: string };
  /** The key the test signs tokens with, as identity would; tenancy trusts it from SigningKeyPublished. */
  signingKey: SigningKey;
  /** Plays identity: a person signs up (and tenancy learns their address). */
  person(options?: { verified?: boolean }): Promise<{ userId: string; email: string }>;
  /** An access token as identity signs it, for a person acting in an organization with a role. */
  token(userId: string, accountId?: string, role?: string): Promise<string>;
  publish(
    topic: "identity" | "billing" | "tenancy",
    type: string,
    aggregateId: string,
    data: Record<string, unknown>,
  ): Promise<void>;
  call: TestCall;
  /** An organization with an owner whose token acts in it. */
  organization(
    name?: string,
  ): Promise<{ accountId: string; owner: { userId: string; email: string; token: string } }>;
  /**
   * A new person who joins the organization the legitimate way: invited with a role, then accepting
   * (identity's UserJoined), as a person clicking the link would.
   */
  member(
    organization: { accountId: string; owner: { token: string } },
    role?: string,
  ): Promise<{ userId: string; email: string }>;
  close(): Promise<void>;
}

/**
 * One tenancy service per test file as it runs in production: its own database (non-superuser role,
 * row-level security in force), real topics of its own and the real registry, HTTP on a random port.
 * The test plays identity and billing on their topics.
 */
export async function startTenancy(
  overrides: Record<string, string> = {},
  options: TenancyServiceOptions = {},
): Promise<Harness> {
  const infra = infrastructure();
  const db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "tenancy_test" });
  const prefix = uniqueName("tenancy");
  const { kafka, topics } = await createTestTopics({
    brokers: infra.kafkaBrokers,
    registryUrl: infra.schemaRegistryUrl,
    prefix,
    clientId: "tenancy-test",
    topics: { tenancy: "tenancy.events", identity: "identity.events", billing: "billing.events" },
  });
  const clock = new TestClock();
  const config = loadTenancyConfig({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    TENANCY_EVENTS_TOPIC: topics.tenancy,
    IDENTITY_EVENTS_TOPIC: topics.identity,
    BILLING_EVENTS_TOPIC: topics.billing,
    READ_MODEL_GROUP: `${prefix}.read-models`,
    TENANCY_PUBLIC_URL: "http://app.test",
    IDENTITY_PUBLIC_URL: "http://identity.test",
    // Tests sweep SLAs themselves, with the clock where they moved it.
    SLA_SWEEP_SECONDS: "86400",
    ...overrides,
  });
  const service = new TenancyService(config, clock, options);
  await service.start();
  await service.startWorkers();
  const app = createHttpApp({ logger: service.logger, routes: tenancyRoutes(service) });
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
    defaults: () => ({ occurred_at: clock.now().getTime(), actor: system }),
  });
  const signingKey: SigningKey = await generateSigningKey();

  const harness: Harness = {
    service,
    app,
    url,
    clock,
    db,
    topics,
    signingKey,
    publish,
    async person(options = {}) {
      const userId = `usr_${randomBytes(8).toString("hex")}`;
      const email = `${userId}@example.com`;
      await harness.publish("identity", IdentityEvent.UserSignedUp, userId, {
        account_id: null,
        user_id: userId,
        email,
        given_name: null,
        family_name: null,
        display_name: null,
        signup_source: "web",
        email_verified: options.verified ?? false,
      });
      await waitFor(() => service.db.person.findUnique({ where: { userId } }).then((p) => p ?? undefined), {
        what: `person ${userId}`,
      });
      return { userId, email };
    },
    async token(userId, accountId, role) {
      return signAccessToken(
        signingKey.privateKey,
        signingKey.kid,
        { typ: "user", sub: userId, sid: `ses_${userId}`, acct: accountId, role },
        { now: clock.now() },
      );
    },
    call: httpCaller(url),
    async organization(name = "Acme") {
      const owner = await harness.person({ verified: true });
      const created = await harness.call("POST", "/v1/organizations", {
        token: await harness.token(owner.userId),
        body: { name },
      });
      if (created.status !== 201)
        throw new Error(`organization not created: ${JSON.stringify(created.body)}`);
      const accountId = created.body.account_id as string;
      return { accountId, owner: { ...owner, token: await harness.token(owner.userId, accountId, "owner") } };
    },
    async member(organization, role = "member") {
      const { accountId, owner } = organization;
      const person = await harness.person({ verified: true });
      const invited = await harness.call("POST", `/v1/organizations/${accountId}/invitations`, {
        token: owner.token,
        body: { email: person.email, role },
      });
      if (invited.status !== 201) throw new Error(`invitation not sent: ${JSON.stringify(invited.body)}`);
      await harness.publish("identity", IdentityEvent.UserJoined, person.userId, {
        account_id: accountId,
        user_id: person.userId,
        email: person.email,
        invitation_id: invited.body.invitation_id,
        role,
        group_id: null,
      });
      await waitFor(
        () =>
          inTenant(service.db, accountId, (tx) =>
            tx.membership.findUnique({
              where: { groupId_userId: { groupId: accountId, userId: person.userId } },
            }),
          ).then((m) => m ?? undefined),
        { what: `${person.userId} to join ${accountId}` },
      );
      return person;
    },
    async close() {
      try {
        // PROVE_REBUILD=1: every test file ends with the rebuild proof over what its scenarios left.
        if (process.env.PROVE_REBUILD === "1") {
          await service.settled();
          await assertRebuildEqual("tenancy", {
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

  // identity's public key reaches tenancy the production way: SigningKeyPublished on identity's topic.
  await harness.publish("identity", IdentityEvent.SigningKeyPublished, `signing_key:${signingKey.kid}`, {
    key_id: signingKey.kid,
    algorithm: "EdDSA",
    public_key_jwk: JSON.stringify(signingKey.publicJwk),
    not_before: clock.now().getTime() - 60_000,
  });
  await waitFor(() => service.access.keyRing.kids().includes(signingKey.kid) || undefined, {
    what: "tenancy to trust the test signing key",
  });
  return harness;
}
