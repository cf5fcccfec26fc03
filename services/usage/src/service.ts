import { join } from "node:path";
import {
  type AccessControl,
  type ClosedAccounts,
  createAccessControl,
  projectedClosedAccounts,
} from "@platform/auth";
import {
  type BatchProjector,
  type Clock,
  createServiceRuntime,
  type EventStore,
  type Projector,
  type ServiceRuntime,
  systemClock,
} from "@platform/event-sourcing";
import { type AvroSchema, type AvroSerde, FactProducer } from "@platform/messaging";
import type { Logger, LoggerOptions } from "@platform/observability";
import type { Kafka, Producer } from "kafkajs";
import { AccountTime } from "./app/account-time";
import { UsageIntake } from "./app/intake";
import { ClockedCloses, PeriodCloser } from "./app/periods";
import { QuotaChecker } from "./app/quota";
import { QuotaView } from "./app/quota-view";
import { CROSS_TENANT, type Tx } from "./app/tenant";
import { UsageReader } from "./app/usage-reads";
import type { UsageConfig } from "./config";
import {
  projectedSchemas,
  REPORTED_SUBJECT,
  reportedSchema,
  USAGE_REPORTED,
  UsageEvent,
  usageCatalog,
  usageSchemas,
} from "./domain/events";
import { METERS, type MeterCatalog } from "./domain/meters";
import { PrismaClient } from "./generated/prisma/client";
import { inlineHandlers, resetInline } from "./projections/inline";
import { readModelHandlers, resetReadModels } from "./projections/read-models";
import { ThresholdAlerts } from "./projections/threshold-alerts";
import { resetUsageCount, type UsageCountSeams, usageCount } from "./projections/usage-count";

export const MIGRATIONS_DIR = join(__dirname, "../prisma/migrations");

export interface UsageServiceOptions {
  /** Where log lines go (stdout when not given). */
  logDestination?: LoggerOptions["destination"];
  /** The meters (catalog/meters.json when not given). */
  meters?: MeterCatalog;
  /** Crash tests' seams in the usage count's transaction (none in production). */
  countSeams?: UsageCountSeams;
}

/** usage's composition root: every dependency built once from the configuration. */
export class UsageService {
  readonly logger: Logger;
  readonly db: PrismaClient;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly store: EventStore<Tx>;
  /** What verifies identity's tokens (keys, roles, revocations), kept current from identity's events. */
  readonly access: AccessControl;
  readonly closedAccounts: ClosedAccounts;
  readonly meters: MeterCatalog;
  readonly reports: FactProducer;
  readonly intake: UsageIntake;
  readonly reader: UsageReader;
  readonly closer: PeriodCloser;
  /** An organization's now: the wall clock, or its attached test clock's time (docs/usage.md, "Test clocks"). */
  readonly time: AccountTime;
  private readonly clockedCloses: ClockedCloses;
  /** The quota check's memory, kept current by the count and the read models (docs/usage.md, "Quota checks"). */
  readonly quotaView: QuotaView;
  readonly quota: QuotaChecker;
  /** Threshold alerts, after each run of the count (docs/usage.md, "Alerts"). */
  readonly alerts: ThresholdAlerts;
  private readonly runtime: ServiceRuntime<Tx, PrismaClient>;
  private readModels?: Projector<Tx>;
  private count?: BatchProjector<Tx>;
  private readonly countSeams?: UsageCountSeams;

  constructor(
    readonly config: UsageConfig,
    readonly clock: Clock = systemClock,
    options: UsageServiceOptions = {},
  ) {
    const runtime = createServiceRuntime<Tx, PrismaClient>(config, {
      name: "usage",
      migrationsDir: MIGRATIONS_DIR,
      database: (adapter) => new PrismaClient({ adapter }),
      catalog: usageCatalog,
      topic: config.USAGE_EVENTS_TOPIC,
      clock,
      inline: inlineHandlers,
      resetInline,
      logDestination: options.logDestination,
    });
    this.runtime = runtime;
    ({ logger: this.logger, db: this.db, kafka: this.kafka, producer: this.producer } = runtime);
    ({ serde: this.serde, store: this.store } = runtime);
    this.meters = options.meters ?? METERS;
    this.countSeams = options.countSeams;
    this.access = createAccessControl({
      runtime,
      config,
      clock,
      roleDefinitions: CROSS_TENANT.roleDefinitions,
    });
    this.closedAccounts = projectedClosedAccounts(this.db);
    this.reports = new FactProducer({
      producer: this.producer,
      serde: this.serde,
      stream: {
        topic: config.USAGE_INGEST_TOPIC,
        schema: reportedSchema,
        accountField: "account_id",
        idField: "idempotency_key",
        subject: REPORTED_SUBJECT(config.USAGE_INGEST_TOPIC),
      },
    });
    const graceMs = config.USAGE_GRACE_SECONDS * 1000;
    this.time = new AccountTime(this.db, clock);
    this.intake = new UsageIntake(
      this.db,
      this.reports,
      this.meters,
      this.time,
      config.USAGE_MAX_FUTURE_SECONDS * 1000,
      config.USAGE_LATE_EVENTS,
    );
    this.reader = new UsageReader(this.db, this.meters, this.time, graceMs);
    this.quotaView = new QuotaView(this.db, this.reader, clock);
    this.quota = new QuotaChecker(
      this.quotaView,
      this.meters,
      new FactProducer({
        producer: this.producer,
        serde: this.serde,
        stream: {
          topic: config.USAGE_EVENTS_TOPIC,
          schema: usageSchemas[UsageEvent.QuotaRequestDenied] as AvroSchema,
          accountField: "account_id",
          idField: "denial_id",
        },
      }),
      clock,
      this.logger,
    );
    this.alerts = new ThresholdAlerts(this.store, this.reader, this.quotaView, clock);
    this.closer = new PeriodCloser(this.db, this.store, this.reader, clock, this.time, {
      graceMs,
      countGroup: this.countGroup,
      ingestTopic: config.USAGE_INGEST_TOPIC,
    });
    this.clockedCloses = new ClockedCloses(this.closer, (accountId, error) =>
      this.logger.warn(
        { error, accountId },
        "closing a clocked usage period failed; retried on the next run",
      ),
    );
  }

  /** The usage count's consumer group (its offsets are what a closing records). */
  get countGroup(): string {
    return `${this.config.READ_MODEL_GROUP}.count`;
  }

  /** Migrates, trusts the identity keys and roles already seen, reads the window's revocations, connects the producer. */
  async start(): Promise<void> {
    await this.runtime.start(() => this.access.start());
  }

  /** The relay (event store → usage.events), the read models, the usage count, and the closer's timer. */
  async startWorkers(): Promise<void> {
    this.readModels = this.readModelProjector();
    this.count = this.countProjector();
    await this.runtime.startWorkers(this.readModels, this.count);
    // Periods end by the clock, not by an event: close them on a timer.
    this.runtime.every(this.config.USAGE_CLOSER_SECONDS, "usage period closer", () => this.closeDuePeriods());
  }

  /** Closes every period past its end and grace at the service's clock; failures are logged and retried. */
  async closeDuePeriods(): Promise<number> {
    const { closed, failures } = await this.closer.runDue();
    for (const { accountId, error } of failures)
      this.logger.warn({ error, accountId }, "closing a usage period failed; retried on the next run");
    return closed;
  }

  private readModelProjector(): Projector<Tx> {
    return this.runtime.projector({
      name: this.config.READ_MODEL_GROUP,
      topics: [
        this.config.BILLING_EVENTS_TOPIC,
        this.config.TENANCY_EVENTS_TOPIC,
        this.config.IDENTITY_EVENTS_TOPIC,
      ],
      readerSchemas: projectedSchemas,
      handlers: this.quotaView.after(
        this.clockedCloses.after(readModelHandlers(this.access.keyRing, this.access.roles)),
      ),
    });
  }

  private countProjector(): BatchProjector<Tx> {
    return this.runtime.batchProjector({
      name: this.countGroup,
      topics: [this.config.USAGE_INGEST_TOPIC],
      readerSchemas: { [USAGE_REPORTED]: reportedSchema },
      applyBatch: this.alerts.after(
        usageCount(this.meters, {
          seams: this.countSeams,
          adjust:
            this.config.USAGE_LATE_EVENTS === "adjust" ? { store: this.store, clock: this.clock } : undefined,
        }),
      ),
    });
  }

  /** Rebuilds usage's inline-projected state (closed periods) from its own log. */
  async rebuildState(): Promise<number> {
    return this.runtime.rebuildState();
  }

  /**
   * Everything the logs imply, rebuilt (the rebuild proof's `rebuild`, docs/architecture.md): the closed
   * periods from platform_events, the read models from offset 0 of their topics, then the usage count
   * from offset 0 of usage.ingest — after the closed periods, since what is late is judged against them.
   */
  async rebuildAll(timeoutMs?: number): Promise<{ inlineEvents: number; facts: number }> {
    const readModels = this.readModels ?? (() => this.readModelProjector());
    const rebuilt = await this.runtime.rebuild(
      [{ projector: readModels, reset: resetReadModels }],
      timeoutMs,
    );
    const count = this.count ?? this.countProjector();
    // The alerts' rows came back with usage's log above; the replayed count must not emit them again.
    this.alerts.replaying = true;
    try {
      const { events } = await count.rebuild(resetUsageCount);
      return { ...rebuilt, facts: events };
    } finally {
      this.alerts.replaying = false;
      this.quotaView.clear();
      if (count !== this.count) {
        await count.stop();
        count.unregister();
      }
    }
  }

  /** Waits until the relay has published every event and the read models and the count have read their topics' ends. */
  async settled(timeoutMs?: number): Promise<void> {
    await this.runtime.settled(timeoutMs);
  }

  async stop(): Promise<void> {
    this.clockedCloses.stop();
    await this.runtime.stop(() => this.access.stop());
  }
}
