import { randomBytes } from "node:crypto";
import { generateSigningKey, type SigningKey, signAccessToken } from "@platform/auth";
import { createTestTopics, IdentityEvent, testEventPublisher } from "@platform/contracts";
import { assertRebuildEqual, privilegedUrlOf, type RebuildProofOptions } from "@platform/event-sourcing";
import { createHttpApp, type HttpAppOptions, type Serving, serve } from "@platform/http";
import { type AvroSchema, AvroSerde, createProducer } from "@platform/messaging";
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

/** What the harness needs of a service's composition root (every service's has these). */
export interface HarnessedService {
  readonly logger: HttpAppOptions["logger"];
  start(): Promise<void>;
  startWorkers(): Promise<void>;
  settled(): Promise<void>;
  rebuildAll(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface ServiceHarnessOptions<Service extends HarnessedService, Topic extends string, Options> {
  /** The service's name: its test role is `<name>_test`, its topics and groups are prefixed with it. */
  name: string;
  /** The service's prisma/migrations folder, applied to the test's own database. */
  migrationsDir: string;
  /**
   * The platform topics the test gets its own copies of, by the name the test uses. The service reads
   * each from the variable its configuration names after the topic: `usage.ingest` → `USAGE_INGEST_TOPIC`.
   */
  topics: Record<Topic, string>;
  /** The service's own variables (public URLs, timers the test drives itself), before `overrides`. */
  env?: Record<string, string>;
  /** The test's variables, over everything else. */
  overrides?: Record<string, string>;
  /** Builds the service on the test's clock from the variables (its `load…Config`, then its constructor). */
  create(env: Record<string, string>, clock: TestClock, options?: Options): Service;
  /** The service's constructor options for the first start; `restart(options)` gives others. */
  options?: Options;
  /** The service's HTTP app options but the logger (its routes, body rules, problem formats). */
  http(service: Service): Omit<HttpAppOptions, "logger">;
  /** How the test plays other services on `publish`. */
  events: {
    /** The service's reader schemas by event type. */
    schemas: Readonly<Record<string, AvroSchema | undefined>>;
    /** Every payload's `actor` (the service's system actor); `occurred_at` is then the test's clock. */
    actor?: object;
    /** The payload field that is the event's tenant header, when the service reads the header. */
    tenantField?: string;
  };
  /**
   * For a service that verifies identity's tokens: its key ring. The harness's signing key reaches it
   * the production way (SigningKeyPublished on the `identity` topic) before the harness is returned.
   */
  keyRing?: (service: Service) => { kids(): string[] };
  /** With PROVE_REBUILD=1, `close` first proves the rebuild over what the test file left. */
  rebuildProof?: Pick<RebuildProofOptions, "classes" | "unreplayedColumns">;
}

export interface ServiceHarness<Service extends HarnessedService, Topic extends string, Options> {
  /** The running service; `restart` replaces it (and app, url, call) in place. */
  service: Service;
  /** The HTTP app as served, for routeTableOf. */
  app: ReturnType<typeof createHttpApp>;
  url: string;
  call: TestCall;
  clock: TestClock;
  db: TestDatabase;
  topics: Record<Topic, string>;
  /** The test's unique prefix of topics and consumer groups. */
  prefix: string;
  /** A producer of the test's own, on the test's Kafka client (plays other services and backends). */
  producer: ReturnType<typeof createProducer>;
  serde: AvroSerde;
  /** Plays another service: one domain event on its topic, the next version of its aggregate. */
  publish(topic: Topic, type: string, aggregateId: string, data: Record<string, unknown>): Promise<void>;
  /** The key the test signs tokens with, as identity would. */
  signingKey: SigningKey;
  /** A person's access token as identity signs it, at the test's clock. */
  userToken(userId: string, accountId?: string, role?: string): Promise<string>;
  /** An API key's access token as identity's exchange signs it, at the test's clock. */
  apiKeyToken(accountId: string, scope: string[], keyId?: string): Promise<string>;
  /**
   * Stops the service and starts another on the same database, topics and clock (a deploy), with
   * `options` (the service's defaults when not given).
   */
  restart(options?: Options): Promise<void>;
  close(): Promise<void>;
}

/**
 * One service per test file as it runs in production: its own database (as a non-superuser role, so
 * row-level security is in force), its own copies of the real topics and the real registry, its
 * workers, and its HTTP API on a random port. What is a service's own comes in as options.
 */
export async function startServiceHarness<Service extends HarnessedService, Topic extends string, Options>(
  options: ServiceHarnessOptions<Service, Topic, Options>,
): Promise<ServiceHarness<Service, Topic, Options>> {
  const infra = infrastructure();
  const { name } = options;
  const db = await createTestDatabase({ migrationsDir: options.migrationsDir, role: `${name}_test` });
  const prefix = uniqueName(name);
  const { kafka, topics } = await createTestTopics({
    brokers: infra.kafkaBrokers,
    registryUrl: infra.schemaRegistryUrl,
    prefix,
    clientId: `${name}-test`,
    topics: options.topics,
  });
  const clock = new TestClock();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    ...topicVariables(options.topics, topics),
    READ_MODEL_GROUP: `${prefix}.read-models`,
    ...options.env,
    ...options.overrides,
  };
  const launch = async (launchOptions?: Options) => {
    const service = options.create(env, clock, launchOptions);
    await service.start();
    await service.startWorkers();
    const app = createHttpApp({ logger: service.logger, ...options.http(service) });
    const http: Serving = await serve(app, { port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${http.port}`;
    return { service, app, http, url, call: httpCaller(url) };
  };
  let { http, ...served } = await launch(options.options);
  const serde = AvroSerde.connect(infra.schemaRegistryUrl);
  const producer = createProducer(kafka);
  await producer.connect();
  const { schemas, actor, tenantField } = options.events;
  const publish = testEventPublisher({
    producer,
    serde,
    topics,
    schemas,
    defaults: () => (actor ? { occurred_at: clock.now().getTime(), actor } : {}),
    ...(tenantField && {
      tenantOf: (data: Record<string, unknown>) => {
        const tenant = data[tenantField];
        return typeof tenant === "string" ? tenant : null;
      },
    }),
  });
  const signingKey = await generateSigningKey();
  const sign = (claims: Parameters<typeof signAccessToken>[2]) =>
    signAccessToken(signingKey.privateKey, signingKey.kid, claims, { now: clock.now() });

  const harness: ServiceHarness<Service, Topic, Options> = {
    ...served,
    clock,
    db,
    topics,
    prefix,
    producer,
    serde,
    publish,
    signingKey,
    userToken: (userId, accountId, role) =>
      sign({ typ: "user", sub: userId, sid: `ses_${userId}`, acct: accountId, role }),
    apiKeyToken: (accountId, scope, keyId = `key_${randomBytes(8).toString("hex")}`) =>
      sign({ typ: "api_key", sub: keyId, acct: accountId, scope }),
    async restart(restartOptions) {
      await http.close();
      await harness.service.stop();
      ({ http, ...served } = await launch(restartOptions));
      Object.assign(harness, served);
    },
    async close() {
      try {
        // PROVE_REBUILD=1: every test file ends with the rebuild proof over what its scenarios left.
        if (options.rebuildProof && process.env.PROVE_REBUILD === "1") {
          await harness.service.settled();
          await assertRebuildEqual(name, {
            databaseUrl: privilegedUrlOf(db.url, infra.postgresAdminUrl),
            ...options.rebuildProof,
            rebuild: () => harness.service.rebuildAll(),
          });
        }
      } finally {
        await producer.disconnect();
        await http.close();
        await harness.service.stop();
        await db.drop();
      }
    },
  };

  const { keyRing } = options;
  if (keyRing) {
    await publish("identity" as Topic, IdentityEvent.SigningKeyPublished, `signing_key:${signingKey.kid}`, {
      key_id: signingKey.kid,
      algorithm: "EdDSA",
      public_key_jwk: JSON.stringify(signingKey.publicJwk),
      not_before: clock.now().getTime() - 60_000,
    });
    await waitFor(() => keyRing(harness.service).kids().includes(signingKey.kid) || undefined, {
      what: `${name} to trust the test signing key`,
    });
  }
  return harness;
}

/** `{ ingest: "usage.ingest" }` with its test copy → `{ USAGE_INGEST_TOPIC: "<prefix>.usage.ingest" }`. */
function topicVariables(
  platform: Record<string, string>,
  copies: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(platform).map(([key, topic]) => [
      `${topic.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_TOPIC`,
      copies[key] as string,
    ]),
  );
}
