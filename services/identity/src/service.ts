import { join } from "node:path";
import {
  type ClosedAccounts,
  KeyRing,
  RoleCatalog,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenVerifier,
} from "@platform/auth";
import type { IdentityPayloads } from "@platform/contracts";
import {
  createServiceRuntime,
  type EventStore,
  handlersFor,
  type Projector,
  type ProjectorOptions,
  type ServiceRuntime,
} from "@platform/event-sourcing";
import type { AvroSerde } from "@platform/messaging";
import type { Logger, LoggerOptions } from "@platform/observability";
import type { Kafka, Producer } from "kafkajs";
import { Pool } from "pg";
import { RateLimiterPostgres } from "rate-limiter-flexible";
import { ApiKeyService } from "./app/api-keys";
import { closedAccountsIn } from "./app/closed-accounts";
import { type Clock, systemClock, type Tx } from "./app/context";
import { Credentials } from "./app/credentials";
import { DirectoryService } from "./app/directory";
import { InvitationAcceptance } from "./app/invitations";
import { OidcService } from "./app/oidc";
import { PeopleService } from "./app/people";
import { Provisioning } from "./app/provisioning";
import { RoleService } from "./app/roles";
import { SessionService } from "./app/sessions";
import { SigningKeys } from "./app/signing-keys";
import { SsoService } from "./app/sso";
import type { IdentityConfig } from "./config";
import { IdentityEvent, identityCatalog } from "./domain/events";
import { PrismaClient } from "./generated/prisma/client";
import { inlineHandlers, resetInline } from "./projections/inline";
import {
  processHandlers,
  readerSchemas,
  readModelHandlers,
  resetReadModels,
} from "./projections/read-models";

export const MIGRATIONS_DIR = join(__dirname, "../prisma/migrations");

/**
 * The identity service's composition root: every dependency is built here from the configuration,
 * once, and handed to the parts that need it (no module reads process.env or builds its own client).
 */
export class IdentityService {
  readonly logger: Logger;
  readonly db: PrismaClient;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly store: EventStore<Tx>;
  readonly pool: Pool;
  readonly signingKeys: SigningKeys;
  readonly sessions: SessionService;
  readonly people: PeopleService;
  readonly apiKeys: ApiKeyService;
  readonly sso: SsoService;
  readonly oidc: OidcService;
  readonly roleDefinitions: RoleService;
  readonly directory: DirectoryService;
  readonly credentials: Credentials;
  readonly roles = new RoleCatalog();
  readonly keyRing = new KeyRing();
  readonly closedAccounts: ClosedAccounts;
  readonly verifier: TokenVerifier;
  private readonly runtime: ServiceRuntime<Tx, PrismaClient>;
  private readModels?: Projector<Tx>;

  constructor(
    readonly config: IdentityConfig,
    readonly clock: Clock = systemClock,
    /** Where log lines go (stdout when not given); tests read them to prove what is never logged. */
    logDestination?: LoggerOptions["destination"],
  ) {
    const runtime = createServiceRuntime<Tx, PrismaClient>(config, {
      name: "identity",
      migrationsDir: MIGRATIONS_DIR,
      database: (adapter) => new PrismaClient({ adapter }),
      catalog: identityCatalog,
      topic: config.IDENTITY_EVENTS_TOPIC,
      clock,
      inline: inlineHandlers,
      resetInline,
      logDestination,
    });
    this.runtime = runtime;
    ({ logger: this.logger, db: this.db, kafka: this.kafka, producer: this.producer } = runtime);
    ({ serde: this.serde, store: this.store } = runtime);
    this.closedAccounts = closedAccountsIn(this.db);
    this.pool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
    // An idle client whose server ends it (a restart, a failover, a dropped test database) is replaced
    // on next use; without a listener pg's 'error' event would crash the process.
    this.pool.on("error", (error) =>
      this.logger.warn({ error: error.message }, "rate-limit pool: idle connection lost"),
    );
    this.signingKeys = new SigningKeys(this.db, this.store, clock, config.ACCESS_TOKEN_TTL_SECONDS);
    this.credentials = new Credentials(this.store, this.roles, clock);
    this.sessions = new SessionService(
      this.db,
      this.store,
      this.signingKeys,
      this.credentials,
      clock,
      config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
    );
    const limiter = (points: number, keyPrefix: string) =>
      new RateLimiterPostgres({
        storeClient: this.pool,
        tableName: "rate_limits",
        tableCreated: true,
        keyPrefix,
        points,
        duration: config.SIGN_IN_WINDOW_SECONDS,
      });
    this.people = new PeopleService(
      this.db,
      this.store,
      this.sessions,
      {
        perAccount: limiter(config.SIGN_IN_FAILURES_PER_ACCOUNT, "signin_account"),
        perAddress: limiter(config.SIGN_IN_FAILURES_PER_ADDRESS, "signin_address"),
      },
      clock,
      config.IDENTITY_PUBLIC_URL,
      new InvitationAcceptance(this.store, clock),
    );
    this.apiKeys = new ApiKeyService(this.db, this.store, this.signingKeys, this.credentials, clock);
    // One seat rule for every way an identity provider gives someone access.
    const provisioning = new Provisioning(this.store, clock, {
      seatLimitWithoutPlan: config.SEAT_LIMIT_WITHOUT_PLAN,
    });
    this.directory = new DirectoryService(
      this.db,
      this.store,
      this.sessions,
      this.credentials,
      clock,
      provisioning,
    );
    this.roleDefinitions = new RoleService(this.db, this.store, this.roles, this.credentials, clock);
    this.oidc = new OidcService(
      this.db,
      this.store,
      this.sessions,
      clock,
      config.IDENTITY_PUBLIC_URL,
      provisioning,
    );
    this.sso = new SsoService(
      this.db,
      this.store,
      this.sessions,
      clock,
      config.IDENTITY_PUBLIC_URL,
      provisioning,
    );
    this.verifier = new TokenVerifier(this.keyRing, this.roles, {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      now: () => clock.now(),
      // identity reads its own revocations table: every instance refuses a revoked token at once.
      revocations: this.credentials.check(this.db),
    });
  }

  /** Migrates, makes sure a signing key exists and trusts it, and connects the producer. */
  async start(): Promise<void> {
    await this.runtime.start(async () => {
      await this.signingKeys.ensureActiveKey();
      await this.roleDefinitions.load();
      for (const jwk of (await this.signingKeys.jwks()).keys)
        this.keyRing.addJwk(String(jwk.kid), jwk as Record<string, unknown>);
    });
  }

  async startWorkers(): Promise<void> {
    this.readModels = this.readModelProjector();
    const processes = this.projector(
      `${this.config.READ_MODEL_GROUP}.processes`,
      processHandlers(this.credentials),
    );
    await this.runtime.startWorkers(this.readModels, processes);
  }

  private projector(name: string, handlers: ProjectorOptions<Tx>["handlers"]): Projector<Tx> {
    return this.runtime.projector({
      name,
      topics: [
        this.config.IDENTITY_EVENTS_TOPIC,
        this.config.TENANCY_EVENTS_TOPIC,
        this.config.BILLING_EVENTS_TOPIC,
      ],
      readerSchemas,
      handlers,
    });
  }

  private readModelProjector(): Projector<Tx> {
    const handlers = readModelHandlers();
    return this.projector(this.config.READ_MODEL_GROUP, {
      ...handlers,
      // Another identity instance may have defined it: every instance's verifier must know it.
      ...handlersFor<IdentityPayloads>()<Tx>({
        [IdentityEvent.RoleDefined]: async (tx, event) => {
          await handlers[IdentityEvent.RoleDefined]?.(tx, event);
          this.roles.apply(event.data);
        },
      }),
    });
  }

  /** Rebuilds the inline-projected state tables from identity's own log; returns the events replayed. */
  rebuildState(): Promise<number> {
    return this.runtime.rebuildState();
  }

  /** Replays identity's, tenancy's and billing's topics into the read models (audit log, closed accounts…). */
  async rebuildReadModels(): Promise<void> {
    await this.readModels?.rebuild(resetReadModels);
  }

  /**
   * Everything the logs imply, rebuilt (the rebuild proof's `rebuild`): inline state from
   * platform_events, then the read models from offset 0 of their topics until caught up. Works with
   * the workers stopped too (the proof's command line): the read models then run only for the rebuild.
   */
  async rebuildAll(timeoutMs?: number): Promise<{ inlineEvents: number }> {
    const readModels = this.readModels ?? (() => this.readModelProjector());
    return this.runtime.rebuild([{ projector: readModels, reset: resetReadModels }], timeoutMs);
  }

  /**
   * Resolves once the service is at rest: every stored event published and every projector (read
   * models and processes) caught up with its topics. Tests and the rebuild proof wait for it.
   */
  async settled(timeoutMs?: number): Promise<void> {
    await this.runtime.settled(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.runtime.stop(() => this.pool.end());
  }
}
