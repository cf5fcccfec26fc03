import { join } from "node:path";
import { type AccessControl, type ClosedAccounts, createAccessControl } from "@platform/auth";
import {
  type Clock,
  createServiceRuntime,
  type EventStore,
  type Projector,
  type ProjectorOptions,
  type ServiceRuntime,
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
  private readonly runtime: ServiceRuntime<Tx, PrismaClient>;
  private readModels?: Projector<Tx>;

  constructor(
    readonly config: TenancyConfig,
    readonly clock: Clock = systemClock,
    options: TenancyServiceOptions = {},
  ) {
    const runtime = createServiceRuntime<Tx, PrismaClient>(config, {
      name: "tenancy",
      migrationsDir: MIGRATIONS_DIR,
      database: (adapter) => new PrismaClient({ adapter }),
      catalog: tenancyCatalog,
      topic: config.TENANCY_EVENTS_TOPIC,
      clock,
      inline: inlineHandlers,
      resetInline,
      logDestination: options.logDestination,
    });
    this.runtime = runtime;
    ({ logger: this.logger, db: this.db, kafka: this.kafka, producer: this.producer } = runtime);
    ({ serde: this.serde, store: this.store } = runtime);
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
    await this.runtime.start(() => this.access.start());
  }

  async startWorkers(): Promise<void> {
    this.readModels = this.readModelProjector();
    const processes = this.projector(
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
    await this.runtime.startWorkers(this.readModels, processes);
    // SLA warnings and breaches are due by the clock, not by an event: sweep on a timer.
    this.runtime.every(this.config.SLA_SWEEP_SECONDS, "SLA sweep", () => this.tickets.sweepSla());
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
    return this.runtime.rebuildState();
  }

  /**
   * Everything the logs imply, rebuilt (the rebuild proof's `rebuild`): inline state from
   * platform_events, then the read models from offset 0 of their topics until caught up. The process
   * projector is not rebuilt: it appends events, and what it appended is in the log. Works with the
   * workers stopped too (the proof's command line): the read models then run only for the rebuild.
   */
  async rebuildAll(timeoutMs?: number): Promise<{ inlineEvents: number }> {
    const readModels = this.readModels ?? (() => this.readModelProjector());
    return this.runtime.rebuild([{ projector: readModels, reset: resetReadModels }], timeoutMs);
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
    await this.runtime.settled(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.runtime.stop(() => this.access.stop());
  }
}
