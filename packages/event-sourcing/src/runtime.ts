import { deployMigrations, postgresAdapter } from "@platform/database";
import { AvroSerde, createKafka, createProducer } from "@platform/messaging";
import { createLogger, type Logger, type LoggerOptions } from "@platform/observability";
import type { Kafka, Producer } from "kafkajs";
import { BatchProjector, type BatchProjectorOptions } from "./batch-projector";
import type { EventCatalog } from "./event-catalog";
import { type Clock, EventStore, type EventStoreOptions, systemClock } from "./event-store";
import { Projector, type ProjectorOptions } from "./projector";
import { type ReadModelRebuild, rebuildService, settled } from "./rebuild-proof";
import { Relay, type RelayOptions } from "./relay";
import type { SqlClient, TransactionalDatabase } from "./sql";

/** The variables of `platformEnv` (@platform/config) the runtime needs. */
export interface ServiceRuntimeConfig {
  SERVICE_NAME: string;
  LOG_LEVEL: NonNullable<LoggerOptions["level"]>;
  DATABASE_URL: string;
  KAFKA_BROKERS: string[];
  /** Defaults to SERVICE_NAME. */
  KAFKA_CLIENT_ID?: string;
  SCHEMA_REGISTRY_URL: string;
}

/** A service's database client: transactions, and a connection to close when the service stops. */
export type ServiceDatabase<Tx extends SqlClient> = TransactionalDatabase<Tx> & {
  $disconnect(): Promise<void>;
};

export interface ServiceRuntimeOptions<Tx extends SqlClient, Db extends ServiceDatabase<Tx>> {
  /** The logger's name, e.g. `tenancy`. */
  name: string;
  /** The service's prisma/migrations folder, applied by `start`. */
  migrationsDir: string;
  /** Builds the service's own generated Prisma client on the adapter the kit chose. */
  database: (adapter: ReturnType<typeof postgresAdapter>) => Db;
  /** The event types the service writes. */
  catalog: EventCatalog;
  /** The service's domain event log, e.g. `tenancy.events`: where its relay publishes. */
  topic: string;
  /** The service's one clock, shared by its commands and its event store. */
  clock?: Clock;
  /** The service's inline projections (see EventStore). */
  inline?: EventStoreOptions<Tx>["inline"];
  /** Empties the inline projections' tables, for `rebuildState` and `rebuild`. */
  resetInline: (tx: Tx) => Promise<void>;
  /** Where log lines go (stdout when not given); tests read them to prove what is never logged. */
  logDestination?: LoggerOptions["destination"];
}

/** The options the runtime gives every projector; a spec names the rest. */
type RuntimeWired = "kafka" | "producer" | "db" | "serde" | "logger";

type ProjectorSpec<Tx extends SqlClient> = Omit<ProjectorOptions<Tx>, RuntimeWired>;

/** `db` may name another client of the same database (one with a pool of its own); the service's by default. */
type BatchProjectorSpec<Tx extends SqlClient> = Omit<BatchProjectorOptions<Tx>, RuntimeWired> &
  Partial<Pick<BatchProjectorOptions<Tx>, "db">>;

/** A consumer the runtime runs between `startWorkers` and `stop`: a projector or a batch projector. */
export type RuntimeConsumer<Tx extends SqlClient> = Projector<Tx> | BatchProjector<Tx>;

/**
 * What every service builds the same way from its configuration: logger, Prisma client, Kafka client
 * and producer, registry serde, event store on the service's clock, and how to make its relay and
 * projectors; and the lifecycle they share: migrate and connect, run the relay, consumers and timers,
 * settle, rebuild, stop. A service's composition root adds only what is its own.
 */
export class ServiceRuntime<Tx extends SqlClient, Db extends ServiceDatabase<Tx>> {
  readonly logger: Logger;
  readonly db: Db;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly store: EventStore<Tx>;
  readonly clock: Clock;
  private running?: Relay<Tx>;
  private consumers: RuntimeConsumer<Tx>[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly config: ServiceRuntimeConfig,
    private readonly options: ServiceRuntimeOptions<Tx, Db>,
  ) {
    this.clock = options.clock ?? systemClock;
    this.logger = createLogger({
      name: options.name,
      level: config.LOG_LEVEL,
      destination: options.logDestination,
    });
    this.db = options.database(postgresAdapter(config.DATABASE_URL));
    this.kafka = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? config.SERVICE_NAME,
      logger: this.logger,
    });
    this.producer = createProducer(this.kafka);
    this.serde = AvroSerde.connect(config.SCHEMA_REGISTRY_URL);
    this.store = new EventStore<Tx>(options.catalog, { clock: this.clock, inline: options.inline });
  }

  /** The relay of the service's own log; the caller starts and stops it. */
  relay(overrides: Partial<RelayOptions<Tx>> = {}): Relay<Tx> {
    return new Relay<Tx>({
      db: this.db,
      producer: this.producer,
      serde: this.serde,
      catalog: this.options.catalog,
      topic: this.options.topic,
      logger: this.logger,
      ...overrides,
    });
  }

  /** A projector on the service's database, Kafka client and serde; dead letters go through its producer. */
  projector(spec: ProjectorSpec<Tx>): Projector<Tx> {
    return new Projector<Tx>({ ...this.projectorWiring(), ...spec });
  }

  /** A batch projector (set-based runs, for fact streams) on the same database, Kafka client and serde. */
  batchProjector(spec: BatchProjectorSpec<Tx>): BatchProjector<Tx> {
    return new BatchProjector<Tx>({ ...this.projectorWiring(), ...spec });
  }

  /** Migrates the database, runs the service's own start-up (`prepare`), then connects the producer. */
  async start(prepare?: () => Promise<void>): Promise<void> {
    await deployMigrations({
      databaseUrl: this.config.DATABASE_URL,
      migrationsDir: this.options.migrationsDir,
    });
    await prepare?.();
    await this.producer.connect();
  }

  /** Starts the relay of the service's log, then each consumer in order; `stop` stops them. */
  async startWorkers(...consumers: RuntimeConsumer<Tx>[]): Promise<void> {
    this.running = this.relay();
    this.running.start();
    for (const consumer of consumers) {
      this.consumers.push(consumer);
      await consumer.start();
    }
  }

  /**
   * Runs `task` every `seconds` until `stop`, for work due by the clock rather than by an event; a
   * failure is logged as "`what` failed" and the task runs again at the next tick.
   */
  every(seconds: number, what: string, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      task().catch((error: unknown) => this.logger.error({ error }, `${what} failed`));
    }, seconds * 1000);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * Resolves once the service is at rest: every stored event published and every running consumer
   * caught up with its topics. Tests and the rebuild proof wait for it.
   */
  settled(timeoutMs?: number): Promise<void> {
    return settled(this.db, this.consumers, timeoutMs);
  }

  /** Rebuilds the inline-projected state tables from the service's own log; returns the events replayed. */
  rebuildState(): Promise<number> {
    return this.store.rebuildInline(this.db, this.options.resetInline);
  }

  /** The service's whole rebuild (`rebuildService`): inline state, then each read model from offset 0. */
  rebuild(readModels: ReadModelRebuild<Tx>[], timeoutMs?: number): Promise<{ inlineEvents: number }> {
    return rebuildService({
      db: this.db,
      store: this.store,
      resetInline: this.options.resetInline,
      readModels,
      timeoutMs,
    });
  }

  /**
   * Stops the timers, the consumers (the last started first) and the relay, then what the service
   * closes of its own (`closing`, in order), the producer and the database.
   */
  async stop(...closing: (() => Promise<void>)[]): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const consumer of this.consumers.splice(0).reverse()) {
      await consumer.stop();
      if (consumer instanceof BatchProjector) consumer.unregister();
    }
    await this.running?.stop();
    for (const close of closing) await close();
    await this.producer.disconnect();
    await this.db.$disconnect();
  }

  private projectorWiring(): Pick<ProjectorOptions<Tx>, RuntimeWired> {
    return {
      kafka: this.kafka,
      producer: this.producer,
      db: this.db,
      serde: this.serde,
      logger: this.logger,
    };
  }
}

export function createServiceRuntime<Tx extends SqlClient, Db extends ServiceDatabase<Tx>>(
  config: ServiceRuntimeConfig,
  options: ServiceRuntimeOptions<Tx, Db>,
): ServiceRuntime<Tx, Db> {
  return new ServiceRuntime(config, options);
}
