import { postgresAdapter } from "@platform/database";
import { AvroSerde, createKafka, createProducer } from "@platform/messaging";
import { createLogger, type Logger, type LoggerOptions } from "@platform/observability";
import type { Kafka, Producer } from "kafkajs";
import { BatchProjector, type BatchProjectorOptions } from "./batch-projector";
import type { EventCatalog } from "./event-catalog";
import { type Clock, EventStore, type EventStoreOptions, systemClock } from "./event-store";
import { Projector, type ProjectorOptions } from "./projector";
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

export interface ServiceRuntimeOptions<Tx extends SqlClient, Db extends TransactionalDatabase<Tx>> {
  /** The logger's name, e.g. `tenancy`. */
  name: string;
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
  /** Where log lines go (stdout when not given); tests read them to prove what is never logged. */
  logDestination?: LoggerOptions["destination"];
}

/** The options the runtime gives every projector; a spec names the rest. */
type RuntimeWired = "kafka" | "producer" | "db" | "serde" | "logger";

type ProjectorSpec<Tx extends SqlClient> = Omit<ProjectorOptions<Tx>, RuntimeWired>;

type BatchProjectorSpec<Tx extends SqlClient> = Omit<BatchProjectorOptions<Tx>, RuntimeWired>;

/**
 * What every service builds the same way from its configuration: logger, Prisma client, Kafka client
 * and producer, registry serde, event store on the service's clock, and how to make its relay and
 * projectors. A service's composition root adds only what is its own.
 */
export class ServiceRuntime<Tx extends SqlClient, Db extends TransactionalDatabase<Tx>> {
  readonly logger: Logger;
  readonly db: Db;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly store: EventStore<Tx>;
  readonly clock: Clock;

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

export function createServiceRuntime<Tx extends SqlClient, Db extends TransactionalDatabase<Tx>>(
  config: ServiceRuntimeConfig,
  options: ServiceRuntimeOptions<Tx, Db>,
): ServiceRuntime<Tx, Db> {
  return new ServiceRuntime(config, options);
}
