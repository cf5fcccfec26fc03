import { InvalidInputError, isRetriable } from "@platform/errors";
import { type AvroSchema, type AvroSerde, FastAvroDecoder, Headers, readHeader } from "@platform/messaging";
import type { Logger } from "@platform/observability";
import type { Kafka, KafkaMessage, Producer } from "kafkajs";
import { Counter, Gauge, Registry } from "prom-client";
import {
  type DeadLetterOutcome,
  type Decoded as DecodedMessage,
  ProjectionConsumer,
} from "./projection-consumer";
import type { SqlClient, TransactionalDatabase } from "./sql";

/** One decoded record handed to a batch handler: a fact, or a domain event read as one. */
export interface BatchEvent<Data = Record<string, unknown>> {
  /** The event-id header: the fact's idempotency key (or the domain event's id). */
  eventId: string;
  type: string;
  tenantId: string | undefined;
  /** The occurred-at header when present, else the broker's timestamp. */
  occurredAt: Date;
  data: Data;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Applies a run of events with set-based statements and returns how many of them it applied for
 * the first time; the rest are counted as duplicates. It must be idempotent per event (insert by
 * (tenant, event id) only if absent): a run can be offered again after a crash or a rebalance.
 */
export type BatchHandler<Tx> = (tx: Tx, events: readonly BatchEvent[]) => Promise<number>;

export interface BatchProjectorOptions<Tx extends SqlClient> {
  /** The consumer group; also the key of this projection's offsets and its dead-letter topic. */
  name: string;
  kafka: Kafka;
  /** Shared producer used for dead letters. */
  producer: Producer;
  db: TransactionalDatabase<Tx>;
  serde: AvroSerde;
  topics: string[];
  applyBatch: BatchHandler<Tx>;
  /** Reader schemas by event type; records of a type not listed are decoded with their writer schema. */
  readerSchemas?: Record<string, AvroSchema>;
  logger: Logger;
  /** Most events applied in one transaction (default 2,000). */
  maxRun?: number;
  /** Partitions applied at the same time, each in its own transactions (default 3). */
  partitionsConsumedConcurrently?: number;
  /**
   * What a fetch waits for: at least `minBytes` (default 1: whatever is there) or `maxWaitMs` (default
   * 100). A stream whose runs carry a fixed cost (statements per tenant, the commit) trades a little
   * latency for fewer, larger runs by waiting for more bytes.
   */
  fetch?: { minBytes?: number; maxWaitMs?: number };
  /** Where the projector's metrics are registered (default: its own registry). */
  registry?: Registry;
  /** How often a rebuild logs its progress (default 5 s). */
  progressIntervalMs?: number;
}

type Outcome = "applied" | "duplicate" | "dead_lettered";

type Decoded = DecodedMessage<BatchEvent>;

/** The metrics of every batch projector registered in one registry, created once per registry. */
interface ProjectorMetrics {
  events: Counter<"projection" | "outcome">;
  projectors: Set<BatchProjector<SqlClient>>;
}
const metricsByRegistry = new WeakMap<Registry, ProjectorMetrics>();

function metricsFor(registry: Registry): ProjectorMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (metrics) return metrics;
  const projectors = new Set<BatchProjector<SqlClient>>();
  metrics = {
    projectors,
    events: new Counter({
      name: "projection_events_total",
      help: "Events a projection handled, by outcome (applied, duplicate, dead_lettered).",
      labelNames: ["projection", "outcome"],
      registers: [registry],
    }),
  };
  new Gauge({
    name: "projection_lag_events",
    help: "Records on the projection's topics not yet applied, from its database's stored offsets.",
    labelNames: ["projection"],
    registers: [registry],
    async collect() {
      for (const projector of projectors) {
        const lag = await projector.lag().catch(() => undefined);
        if (lag !== undefined) this.set({ projection: projector.name }, lag);
      }
    },
  });
  metricsByRegistry.set(registry, metrics);
  return metrics;
}

/**
 * A projector for high-volume streams: each run of up to `maxRun` consecutive records of a partition
 * is decoded, handed to ONE set-based handler call (multi-row INSERT … ON CONFLICT DO NOTHING,
 * `unnest` arrays) and committed with the run's next offset, stored by one statement: bookkeeping is
 * per run, not per message. Idempotency is the handler's (by tenant and event id), so duplicates,
 * redeliveries and replays count once. When a run fails for a lasting reason it is split in halves
 * and each half tried again, down to the one record at fault, which goes alone to the group's
 * dead-letter topic with its reason; the rest is applied. Transient failures are retried.
 *
 * As with Projector (both run on ProjectionConsumer), the database says what was applied: on every
 * assignment the consumer seeks to the stored offsets. A rebuild from offset 0 runs through this
 * same path.
 */
export class BatchProjector<Tx extends SqlClient> extends ProjectionConsumer<BatchEvent, Outcome> {
  readonly registry: Registry;
  private readonly decoder: FastAvroDecoder;
  private readonly metrics: ProjectorMetrics;

  constructor(private readonly options: BatchProjectorOptions<Tx>) {
    super(
      options,
      {
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        maxWaitTimeInMs: options.fetch?.maxWaitMs ?? 100,
        minBytes: options.fetch?.minBytes,
        maxRun: options.maxRun ?? 2_000,
      },
      { applied: 0, duplicate: 0, dead_lettered: 0 },
    );
    this.decoder = new FastAvroDecoder(options.serde);
    this.registry = options.registry ?? new Registry();
    this.metrics = metricsFor(this.registry);
    this.metrics.projectors.add(this as unknown as BatchProjector<SqlClient>);
  }

  /** Stops counting this projector in its registry's metrics (after `stop`, when it is discarded). */
  unregister(): void {
    this.metrics.projectors.delete(this as unknown as BatchProjector<SqlClient>);
  }

  /**
   * Empties the read model (`reset`) in the transaction that forgets this projection's offsets,
   * replays from offset 0 through the batch path, logs a progress line every `progressIntervalMs`,
   * and resolves once the projection has caught up with the records on the topics when it began.
   */
  async rebuild(reset: (tx: Tx) => Promise<void>): Promise<{ events: number; ms: number }> {
    await this.stopAndForget(this.options.db, reset);
    const targets: { topic: string; partition: number; high: bigint; low: bigint }[] = [];
    await this.withAdmin(async (admin) => {
      for (const topic of this.options.topics) {
        for (const p of await admin.fetchTopicOffsets(topic))
          targets.push({ topic, partition: p.partition, high: BigInt(p.high), low: BigInt(p.low) });
      }
    });
    const total = targets.reduce((sum, t) => sum + Number(t.high - t.low), 0);
    const started = performance.now();
    const handledBefore = this.handled();
    const progress = () => {
      const done = this.handled() - handledBefore;
      const seconds = (performance.now() - started) / 1000;
      this.options.logger.info(
        { projection: this.name, done, total, eventsPerSecond: Math.round(done / seconds) },
        "rebuild progress",
      );
    };
    const timer = setInterval(progress, this.options.progressIntervalMs ?? 5_000);
    try {
      await this.start();
      for (;;) {
        const stored = await this.offsets.all();
        const behind = targets.some((target) => {
          const row = stored.find((r) => r.topic === target.topic && r.partition === target.partition);
          return (row ? BigInt(row.next_offset) : target.low) < target.high;
        });
        if (!behind) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - started;
    this.options.logger.info(
      {
        projection: this.name,
        events: total,
        ms: Math.round(ms),
        eventsPerSecond: Math.round(total / (ms / 1000)),
      },
      "rebuild complete",
    );
    return { events: total, ms };
  }

  private handled(): number {
    return this.counts.applied + this.counts.duplicate + this.counts.dead_lettered;
  }

  private count(outcome: Outcome, n: number): void {
    if (n <= 0) return;
    this.counts[outcome] += n;
    this.metrics.events.inc({ projection: this.name, outcome }, n);
  }

  /** Applies a run; on a lasting failure splits it in halves, in order, until the culprit is alone. */
  protected async applyRun(topic: string, partition: number, run: Decoded[]): Promise<void> {
    try {
      await this.applyInOneTransaction(topic, partition, run);
    } catch (error) {
      if (isRetriable(error)) {
        throw this.retrying(topic, partition, run[0]?.message.offset, error);
      }
      if (run.length === 1) {
        await this.deadLetter(topic, partition, (run[0] as Decoded).message, error, "apply");
        return;
      }
      const middle = Math.ceil(run.length / 2);
      // Left half first: offsets are only ever stored in order.
      await this.applyRun(topic, partition, run.slice(0, middle));
      await this.applyRun(topic, partition, run.slice(middle));
    }
  }

  private async applyInOneTransaction(topic: string, partition: number, run: Decoded[]): Promise<void> {
    const last = run[run.length - 1] as Decoded;
    const applied = await this.options.db.$transaction(
      async (tx) => {
        const appliedNow = await this.options.applyBatch(
          tx,
          run.map((item) => item.event),
        );
        await this.offsets.advanceTo(tx, topic, partition, last.message.offset);
        return appliedNow;
      },
      { timeout: 60_000 },
    );
    this.count("applied", applied);
    this.count("duplicate", run.length - applied);
  }

  protected async decode(topic: string, partition: number, message: KafkaMessage): Promise<BatchEvent> {
    const type = readHeader(message.headers, Headers.eventType);
    const eventId = readHeader(message.headers, Headers.eventId);
    if (!type || !eventId)
      throw new InvalidInputError("event_headers_missing", "event-type and event-id headers are required");
    if (!message.value) throw new InvalidInputError("event_value_missing", "message has no value");
    const data = (await this.decoder.decode(message.value, this.options.readerSchemas?.[type])) as Record<
      string,
      unknown
    >;
    const occurredAt = readHeader(message.headers, Headers.occurredAt);
    return {
      eventId,
      type,
      tenantId: readHeader(message.headers, Headers.tenantId),
      occurredAt: occurredAt ? new Date(occurredAt) : new Date(Number(message.timestamp)),
      data,
      topic,
      partition,
      offset: message.offset,
    };
  }

  protected countDeadLetter(outcome: DeadLetterOutcome): void {
    this.count(outcome === "settled" ? "duplicate" : "dead_lettered", 1);
  }
}
