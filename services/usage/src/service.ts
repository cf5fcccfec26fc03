import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  type AccessControl,
  type AccessHandlers,
  accessReadModels,
  type ClosedAccounts,
} from "@platform/auth";
import { postgresAdapter } from "@platform/database";
import {
  type BatchProjector,
  type Clock,
  createServiceRuntime,
  type EventStore,
  type Projector,
  type ServiceRuntime,
  settled,
  systemClock,
} from "@platform/event-sourcing";
import { type AvroSchema, type AvroSerde, FactProducer } from "@platform/messaging";
import type { Logger, LoggerOptions } from "@platform/observability";
import type { Kafka, Producer } from "kafkajs";
import { AccountTime } from "./app/account-time";
import { UsageIntake } from "./app/intake";
import { ClockedCloses, PeriodCloser } from "./app/periods";
import { QuotaChecker } from "./app/quota";
import { type QuotaOffers, QuotaView } from "./app/quota-view";
import { CROSS_TENANT, type Tx } from "./app/tenant";
import { UsageReader } from "./app/usage-reads";
import type { UsageConfig } from "./config";
import type { CountThreadMessage } from "./count-thread";
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

/** Partitions of usage.ingest the count applies at once (the kit's default), and its pool: one more for lag and dead letters. */
const COUNT_PARTITIONS_AT_ONCE = 3;
const COUNT_POOL = COUNT_PARTITIONS_AT_ONCE + 1;
/**
 * A run of the count costs a few statements per organization in it whatever its size (docs/usage.md,
 * "The fact path"), so its fetches wait for about 4,000 records (1 MiB of ~250 B records) or half a
 * second: a busy stream is counted in runs of hundreds per partition, a quiet one at most 0.5 s late.
 */
const COUNT_FETCH = { minBytes: 1_048_576, maxWaitMs: 500 };

export const MIGRATIONS_DIR = join(__dirname, "../prisma/migrations");

export interface UsageServiceOptions {
  /** Where log lines go (stdout when not given). */
  logDestination?: LoggerOptions["destination"];
  /** The meters (catalog/meters.json when not given). */
  meters?: MeterCatalog;
  /** Crash tests' seams in the usage count's transaction (none in production). */
  countSeams?: UsageCountSeams;
  /** Where the count's runs send their totals instead of this service's quota view (the count's thread). */
  quotaOffers?: QuotaOffers;
}

/** usage's composition root: every dependency built once from the configuration. */
export class UsageService {
  readonly logger: Logger;
  readonly db: PrismaClient;
  /**
   * The usage count's own client and pool: the edge's requests and the count's runs each wait for a
   * connection of their own kind, so a burst of requests cannot starve the count (docs/usage.md,
   * "The fact path").
   */
  readonly countDb: PrismaClient;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly store: EventStore<Tx>;
  /** What verifies identity's tokens (keys, roles, revocations), kept current from identity's events. */
  readonly access: AccessControl;
  readonly closedAccounts: ClosedAccounts;
  /** identity's keys and roles and tenancy's closings, projected into what `access` and `closedAccounts` read. */
  private readonly accessHandlers: AccessHandlers<Tx>;
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
  /** The count's projector: run by the runtime (USAGE_COUNT=inline), else only read for its lag. */
  private count?: BatchProjector<Tx>;
  private countThread?: Worker;
  private stopping = false;
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
    // One connection per partition the count applies at once, one for its lag and dead letters.
    this.countDb = new PrismaClient({ adapter: postgresAdapter(config.DATABASE_URL, { max: COUNT_POOL }) });
    this.meters = options.meters ?? METERS;
    this.countSeams = options.countSeams;
    ({
      access: this.access,
      closedAccounts: this.closedAccounts,
      handlers: this.accessHandlers,
    } = accessReadModels({ runtime, config, clock, roleDefinitions: CROSS_TENANT.roleDefinitions }));
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
    this.quotaView = new QuotaView(this.db, this.reader, this.time, clock);
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
      this.logger,
    );
    this.alerts = new ThresholdAlerts(
      this.store,
      this.reader,
      options.quotaOffers ?? this.quotaView,
      this.time,
    );
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

  /** The relay (event store → usage.events), the read models, the usage count (here or in its thread), and the closer's timer. */
  async startWorkers(): Promise<void> {
    this.readModels = this.readModelProjector();
    this.count = this.countProjector();
    if (this.config.USAGE_COUNT === "thread") {
      await this.runtime.startWorkers(this.readModels);
      await this.startCountThread();
    } else await this.runtime.startWorkers(this.readModels, this.count);
    // Periods end by the clock, not by an event: close them on a timer.
    this.runtime.every(this.config.USAGE_CLOSER_SECONDS, "usage period closer", () => this.closeDuePeriods());
  }

  /** The count alone, as its thread runs it (count-thread.ts): the main thread has migrated already. */
  async startCount(): Promise<void> {
    await this.producer.connect(); // dead letters
    this.count = this.countProjector();
    await this.count.start();
  }

  async stopCount(): Promise<void> {
    await this.count?.stop();
    this.count?.unregister();
    await this.producer.disconnect();
    await this.countDb.$disconnect();
    await this.db.$disconnect();
  }

  /**
   * Starts the count's worker thread and resolves once its consumer has started; a thread that dies is
   * started again after a pause (its consumer group then resumes from the offsets in Postgres).
   */
  private async startCountThread(): Promise<void> {
    const workerData = { config: this.config, sequence: this.quotaView.sequence };
    // tsx runs the sources; Node 20 does not hand its --import loader to a worker, so a thread running
    // the .ts registers tsx's require hook first. A build would run the .js.
    const thread = __filename.endsWith(".ts")
      ? new Worker(
          `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(join(__dirname, "count-thread.ts"))});`,
          { eval: true, workerData },
        )
      : new Worker(join(__dirname, "count-thread.js"), { workerData });
    this.countThread = thread;
    await new Promise<void>((resolve, reject) => {
      thread.on("message", (message: CountThreadMessage) => {
        if (message.type === "offer") this.quotaView.offer(message.accountId, message.update, message.seq);
        else if (message.type === "started") resolve();
      });
      thread.on("error", (error) => this.logger.error({ error }, "the count thread failed"));
      thread.on("exit", (code) => {
        reject(new Error(`the count thread exited with ${code} before it started`));
        if (this.countThread !== thread || this.stopping) return;
        this.countThread = undefined;
        this.logger.error({ code }, "the count thread exited; starting another in 5 s");
        setTimeout(() => {
          if (this.stopping || this.countThread) return;
          this.startCountThread().catch((error: unknown) =>
            this.logger.error({ error }, "the count thread could not be restarted"),
          );
        }, 5_000).unref();
      });
    });
  }

  /** Asks the count's thread to stop its consumer and waits for it to exit. */
  private async stopCountThread(): Promise<void> {
    const thread = this.countThread;
    if (!thread) return;
    this.countThread = undefined;
    const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
    thread.postMessage("stop");
    const timer = setTimeout(() => void thread.terminate(), 30_000);
    await exited;
    clearTimeout(timer);
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
      handlers: this.quotaView.after(this.clockedCloses.after(readModelHandlers(this.accessHandlers))),
    });
  }

  private countProjector(): BatchProjector<Tx> {
    return this.runtime.batchProjector({
      name: this.countGroup,
      db: this.countDb,
      topics: [this.config.USAGE_INGEST_TOPIC],
      partitionsConsumedConcurrently: COUNT_PARTITIONS_AT_ONCE,
      fetch: COUNT_FETCH,
      readerSchemas: { [USAGE_REPORTED]: reportedSchema },
      applyBatch: this.alerts.after(
        usageCount(this.meters, {
          seams: this.countSeams,
          adjust:
            this.config.USAGE_LATE_EVENTS === "adjust" ? { store: this.store, time: this.time } : undefined,
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
    // A count in its thread stops for the replay, which runs here, and starts again after it.
    const threaded = this.countThread !== undefined;
    await this.stopCountThread();
    const count = this.count && !threaded ? this.count : this.countProjector();
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
      if (threaded) await this.startCountThread();
    }
  }

  /** Waits until the relay has published every event and the read models and the count have read their topics' ends. */
  async settled(timeoutMs?: number): Promise<void> {
    await this.runtime.settled(timeoutMs);
    // A count in its thread is not one of the runtime's consumers: its lag is read here.
    if (this.countThread && this.count) await settled(this.db, [this.count], timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.clockedCloses.stop();
    await this.stopCountThread();
    await this.runtime.stop(
      () => this.access.stop(),
      // The count's lag reader when it ran in its thread (the runtime stopped it otherwise: a no-op).
      async () => {
        await this.count?.stop();
        this.count?.unregister();
      },
      () => this.countDb.$disconnect(),
    );
  }
}
