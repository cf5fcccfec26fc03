import { join } from "node:path";
import { type AccessControl, type ClosedAccounts, createAccessControl } from "@platform/auth";
import { deployMigrations } from "@platform/database";
import {
  type Clock,
  createServiceRuntime,
  type EventStore,
  type Projector,
  type ProjectorOptions,
  type Relay,
  rebuildService,
  type ServiceRuntime,
  settled,
  systemClock,
} from "@platform/event-sourcing";
import type { AvroSerde } from "@platform/messaging";
import type { Logger, LoggerOptions } from "@platform/observability";
import type { Kafka, Producer } from "kafkajs";
import { AutoJoin } from "./app/auto-join";
import { CustomerSuccessService } from "./app/customer-success";
import { dnsTxtResolver, type TxtResolver } from "./app/dns";
import { DomainService } from "./app/domains";
import { GroupService } from "./app/groups";
import { InvitationService } from "./app/invitations";
import { MembershipService } from "./app/membership-changes";
import { Memberships } from "./app/memberships";
import { OrganizationService } from "./app/organizations";
import { ProjectLimit } from "./app/projects";
import { Seats } from "./app/seats";
import { CROSS_TENANT, type Tx } from "./app/tenant";
import { TicketService } from "./app/tickets";
import type { TenancyConfig } from "./config";
import { projectedSchemas, tenancyCatalog } from "./domain/events";
import { PrismaClient } from "./generated/prisma/client";
import { inlineHandlers, resetInline } from "./projections/inline";
import { processHandlers } from "./projections/processes";
import { readModelHandlers, resetReadModels } from "./projections/read-models";

export const MIGRATIONS_DIR = join(__dirname, "../prisma/migrations");

/** What the environment cannot say: where logs go, and whom domain verification asks for TXT records. */
export interface TenancyServiceOptions {
  /** Where log lines go (stdout when not given); tests read them to prove what is never logged. */
  logDestination?: LoggerOptions["destination"];
  /** The system's DNS when not given; tests answer from a map of records. */
  dns?: TxtResolver;
}

/** tenancy's composition root: every dependency built once from the configuration. */
export class TenancyService {
  readonly logger: Logger;
  readonly db: PrismaClient;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly store: EventStore<Tx>;
  /** What verifies identity's tokens (keys, roles, revocations), kept current from identity's events. */
  readonly access: AccessControl;
  readonly organizations: OrganizationService;
  /** What the route guards ask before a write into an organization: the organizations tenancy closed. */
  readonly closedAccounts: ClosedAccounts;
  readonly groups: GroupService;
  readonly members: MembershipService;
  readonly memberships: Memberships;
  readonly invitations: InvitationService;
  readonly customerSuccess: CustomerSuccessService;
  readonly tickets: TicketService;
  readonly domains: DomainService;
  readonly autoJoin: AutoJoin;
  private slaTimer?: NodeJS.Timeout;
  private readonly runtime: ServiceRuntime<Tx, PrismaClient>;
  private relay?: Relay<Tx>;
  private readModels?: Projector<Tx>;
  private processes?: Projector<Tx>;

  constructor(
    readonly config: TenancyConfig,
    readonly clock: Clock = systemClock,
    options: TenancyServiceOptions = {},
  ) {
    const runtime = createServiceRuntime<Tx, PrismaClient>(config, {
      name: "tenancy",
      database: (adapter) => new PrismaClient({ adapter }),
      catalog: tenancyCatalog,
      topic: config.TENANCY_EVENTS_TOPIC,
      clock,
      inline: inlineHandlers,
      logDestination: options.logDestination,
    });
    this.runtime = runtime;
    this.logger = runtime.logger;
    this.db = runtime.db;
    this.kafka = runtime.kafka;
    this.producer = runtime.producer;
    this.serde = runtime.serde;
    this.store = runtime.store;
    this.access = createAccessControl({
      runtime,
      config,
      clock,
      roleDefinitions: CROSS_TENANT.roleDefinitions,
    });
    this.memberships = new Memberships(this.store, clock);
    this.organizations = new OrganizationService(this.db, this.store, clock, this.memberships);
    this.closedAccounts = this.organizations;
    this.groups = new GroupService(
      this.db,
      this.store,
      clock,
      this.memberships,
      new ProjectLimit(config.PROJECT_LIMIT_WITHOUT_PLAN),
    );
    this.tickets = new TicketService(this.db, this.store, clock);
    this.customerSuccess = new CustomerSuccessService(this.store, clock, config.SUCCESS_REP_RULES);
    const seats = new Seats(clock, config.SEAT_LIMIT_WITHOUT_PLAN);
    this.members = new MembershipService(this.db, this.memberships, this.groups, this.access.roles, clock);
    this.invitations = new InvitationService(
      this.db,
      this.store,
      this.memberships,
      seats,
      this.groups,
      this.access.roles,
      clock,
      { invitationTtlDays: config.INVITATION_TTL_DAYS, publicUrl: config.TENANCY_PUBLIC_URL },
    );
    this.domains = new DomainService(this.db, this.store, clock, options.dns ?? dnsTxtResolver());
    this.autoJoin = new AutoJoin(seats, this.memberships);
  }

  /**
   * Migrates, trusts the identity keys already seen, reads the revocations of the window (so no revoked
   * token is served after a restart), connects the producer.
   */
  async start(): Promise<void> {
    await deployMigrations({ databaseUrl: this.config.DATABASE_URL, migrationsDir: MIGRATIONS_DIR });
    await this.access.start();
    await this.producer.connect();
  }

  async startWorkers(): Promise<void> {
    this.relay = this.runtime.relay();
    this.readModels = this.readModelProjector();
    this.processes = this.projector(
      `${this.config.READ_MODEL_GROUP}.processes`,
      processHandlers({
        store: this.store,
        clock: this.clock,
        organizations: this.organizations,
        members: this.members,
        memberships: this.memberships,
        invitations: this.invitations,
        customerSuccess: this.customerSuccess,
        autoJoin: this.autoJoin,
        groups: this.groups,
        readModelGroup: this.config.READ_MODEL_GROUP,
      }),
    );
    this.relay.start();
    await this.readModels.start();
    await this.processes.start();
    // SLA warnings and breaches are due by the clock, not by an event: sweep on a timer.
    this.slaTimer = setInterval(() => {
      this.tickets.sweepSla().catch((error: unknown) => this.logger.error({ error }, "SLA sweep failed"));
    }, this.config.SLA_SWEEP_SECONDS * 1000);
    this.slaTimer.unref();
  }

  private projector(name: string, handlers: ProjectorOptions<Tx>["handlers"]): Projector<Tx> {
    return this.runtime.projector({
      name,
      topics: [
        this.config.TENANCY_EVENTS_TOPIC,
        this.config.IDENTITY_EVENTS_TOPIC,
        this.config.BILLING_EVENTS_TOPIC,
      ],
      readerSchemas: projectedSchemas,
      handlers,
    });
  }

  private readModelProjector(): Projector<Tx> {
    return this.projector(
      this.config.READ_MODEL_GROUP,
      readModelHandlers(this.access.keyRing, this.access.roles),
    );
  }

  /** Replays tenancy's, identity's and billing's topics into the read models (account traits, people). */
  async rebuildReadModels(): Promise<void> {
    await this.readModels?.rebuild(resetReadModels);
  }

  /** Rebuilds tenancy's inline-projected state tables from its own log (docs/tenancy.md lists which). */
  async rebuildState(): Promise<number> {
    return this.store.rebuildInline(this.db, resetInline);
  }

  /**
   * Everything the logs imply, rebuilt (the rebuild proof's `rebuild`): inline state from
   * platform_events, then the read models from offset 0 of their topics until caught up. The process
   * projector is not rebuilt: it appends events, and what it appended is in the log. Works with the
   * workers stopped too (the proof's command line): the read models then run only for the rebuild.
   */
  async rebuildAll(timeoutMs?: number): Promise<{ inlineEvents: number }> {
    return rebuildService({
      db: this.db,
      store: this.store,
      resetInline,
      readModels: [
        { projector: this.readModels ?? (() => this.readModelProjector()), reset: resetReadModels },
      ],
      timeoutMs,
    });
  }

  /** Messages the read models have yet to apply, over all their topics (0 = caught up). */
  async readModelLag(): Promise<number> {
    return (await this.readModels?.lag()) ?? 0;
  }

  /**
   * Resolves once the service is at rest: every stored event published and every projector (read
   * models and processes) caught up with its topics. Tests and the rebuild proof wait for it.
   */
  async settled(timeoutMs?: number): Promise<void> {
    const projectors = [this.readModels, this.processes].filter((p) => p !== undefined);
    await settled(this.db, projectors, timeoutMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.slaTimer);
    await this.processes?.stop();
    await this.readModels?.stop();
    await this.relay?.stop();
    await this.access.stop();
    await this.producer.disconnect();
    await this.db.$disconnect();
  }
}
