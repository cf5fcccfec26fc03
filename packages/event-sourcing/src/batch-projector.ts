import { describeError, InvalidInputError, isRetriable } from "@platform/errors";
import {
  type AvroSchema,
  type AvroSerde,
  FastAvroDecoder,
  Headers,
  publishDeadLetter,
  readHeader,
} from "@platform/messaging";
import type { Logger } from "@platform/observability";
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from "kafkajs";
import { Counter, Gauge, Registry } from "prom-client";
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
  /** Where the projector's metrics are registered (default: its own registry). */
  registry?: Registry;
  /** How often a rebuild logs its progress (default 5 s). */
  progressIntervalMs?: number;
}

type Outcome = "applied" | "duplicate" | "dead_lettered";

interface Decoded {
  message: KafkaMessage;
  event: BatchEvent;
}

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
 * As with Projector, the database says what was applied: on every assignment the consumer seeks to
 * the stored offsets. A rebuild from offset 0 runs through this same path.
 */
export class BatchProjector<Tx extends SqlClient> {
  readonly registry: Registry;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private seeking: Promise<void> = Promise.resolve();
  private readonly decoder: FastAvroDecoder;
  private readonly metrics: ProjectorMetrics;
  private readonly counts: Record<Outcome, number> = { applied: 0, duplicate: 0, dead_lettered: 0 };

  constructor(private readonly options: BatchProjectorOptions<Tx>) {
    this.decoder = new FastAvroDecoder(options.serde);
    this.registry = options.registry ?? new Registry();
    this.metrics = metricsFor(this.registry);
    this.metrics.projectors.add(this as unknown as BatchProjector<SqlClient>);
  }

  get name(): string {
    return this.options.name;
  }

  get stats(): Readonly<Record<Outcome, number>> {
    return this.counts;
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const consumer = this.options.kafka.consumer({
      groupId: this.name,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.seeking = this.seekToStoredOffsets(payload.memberAssignment).catch((error: unknown) =>
        this.options.logger.error({ error: describeError(error) }, "could not seek to stored offsets"),
      );
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.options.logger.error(
        { error: describeError(payload.error), restart: payload.restart },
        "consumer crashed",
      );
      if (!payload.restart && this.consumer === consumer) {
        setTimeout(() => {
          if (this.consumer !== consumer) return;
          this.stop()
            .then(() => this.start())
            .catch((error: unknown) =>
              this.options.logger.error({ error: describeError(error) }, "restart failed"),
            );
        }, 5_000);
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await this.admin?.disconnect();
    this.admin = undefined;
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
    await this.stop();
    await this.options.db.$transaction(async (tx) => {
      await reset(tx);
      await tx.$executeRawUnsafe(
        "DELETE FROM platform_consumer_offsets WHERE consumer_group = $1",
        this.name,
      );
    });
    const admin = this.options.kafka.admin();
    await admin.connect();
    const targets: { topic: string; partition: number; high: bigint; low: bigint }[] = [];
    try {
      // Kafka's committed offsets follow the database back to the start: the group, empty now, is
      // deleted with its offsets in one request (resetOffsets would cost a group join per topic).
      await admin.deleteGroups([this.name]).catch((error: unknown) => {
        this.options.logger.warn({ error: describeError(error) }, "could not reset committed offsets");
      });
      for (const topic of this.options.topics) {
        for (const p of await admin.fetchTopicOffsets(topic))
          targets.push({ topic, partition: p.partition, high: BigInt(p.high), low: BigInt(p.low) });
      }
    } finally {
      await admin.disconnect();
    }
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
        const stored = await this.storedOffsets();
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

  /** Records on the subscribed topics not yet applied, from the database's point of view. */
  async lag(): Promise<number> {
    this.admin ??= this.options.kafka.admin();
    await this.admin.connect();
    const stored = await this.storedOffsets();
    let lag = 0;
    for (const topic of this.options.topics) {
      for (const partition of await this.admin.fetchTopicOffsets(topic)) {
        const applied = stored.find((row) => row.topic === topic && row.partition === partition.partition);
        const next = applied ? Number(applied.next_offset) : Number(partition.low);
        lag += Math.max(0, Number(partition.high) - next);
      }
    }
    return lag;
  }

  private handled(): number {
    return this.counts.applied + this.counts.duplicate + this.counts.dead_lettered;
  }

  private count(outcome: Outcome, n: number): void {
    if (n <= 0) return;
    this.counts[outcome] += n;
    this.metrics.events.inc({ projection: this.name, outcome }, n);
  }

  private storedOffsets(): Promise<{ topic: string; partition: number; next_offset: bigint }[]> {
    return this.options.db.$transaction((tx) =>
      tx.$queryRawUnsafe<{ topic: string; partition: number; next_offset: bigint }[]>(
        "SELECT topic, partition, next_offset FROM platform_consumer_offsets WHERE consumer_group = $1",
        this.name,
      ),
    );
  }

  private async seekToStoredOffsets(assignment: Record<string, number[]>): Promise<void> {
    const rows = await this.storedOffsets();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const row = rows.find((r) => r.topic === topic && r.partition === partition);
        this.consumer?.seek({ topic, partition, offset: row ? String(row.next_offset) : "0" });
      }
    }
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    await this.seeking;
    const { topic, partition } = batch;
    const maxRun = this.options.maxRun ?? 2_000;
    let run: Decoded[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      const pending = run;
      run = [];
      await this.applyRun(topic, partition, pending);
      resolveOffset((pending[pending.length - 1] as Decoded).message.offset);
      await heartbeat();
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      let event: BatchEvent;
      try {
        event = await this.decode(topic, partition, message);
      } catch (error) {
        if (isRetriable(error)) throw error;
        await flush();
        await this.deadLetter(topic, partition, message, error, "decode");
        resolveOffset(message.offset);
        continue;
      }
      run.push({ message, event });
      if (run.length >= maxRun) await flush();
    }
    await flush();
  }

  /** Applies a run; on a lasting failure splits it in halves, in order, until the culprit is alone. */
  private async applyRun(topic: string, partition: number, run: Decoded[]): Promise<void> {
    try {
      await this.applyInOneTransaction(topic, partition, run);
    } catch (error) {
      if (isRetriable(error)) {
        this.options.logger.warn(
          { topic, partition, offset: run[0]?.message.offset, error: describeError(error) },
          "retrying",
        );
        throw error;
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
        await storeNextOffset(tx, this.name, topic, partition, last.message.offset);
        return appliedNow;
      },
      { timeout: 60_000 },
    );
    this.count("applied", applied);
    this.count("duplicate", run.length - applied);
  }

  private async decode(topic: string, partition: number, message: KafkaMessage): Promise<BatchEvent> {
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

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    stage: "decode" | "apply",
  ): Promise<void> {
    const { db, logger, producer } = this.options;
    const [stored] = await db.$transaction((tx) =>
      tx.$queryRawUnsafe<{ next_offset: bigint }[]>(
        "SELECT next_offset FROM platform_consumer_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3",
        this.name,
        topic,
        partition,
      ),
    );
    if (stored && BigInt(message.offset) < BigInt(stored.next_offset)) {
      this.count("duplicate", 1);
      return;
    }
    logger.error(
      { topic, partition, offset: message.offset, stage, error: describeError(error) },
      "message dead-lettered",
    );
    // Published before the offset moves on: a crash in between dead-letters it twice, never zero times.
    await publishDeadLetter(producer, { consumerGroup: this.name, topic, partition, message, error, stage });
    await db.$transaction((tx) => storeNextOffset(tx, this.name, topic, partition, message.offset));
    this.count("dead_lettered", 1);
  }
}

/**
 * The run's bookkeeping, one statement: the next offset to apply. GREATEST keeps a consumer that
 * lost its partition in a rebalance from moving the stored position back.
 */
async function storeNextOffset(
  tx: SqlClient,
  consumerGroup: string,
  topic: string,
  partition: number,
  lastOffset: string,
): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO platform_consumer_offsets (consumer_group, topic, partition, next_offset, updated_at)
     VALUES ($1, $2, $3, $4::bigint, now())
     ON CONFLICT (consumer_group, topic, partition)
     DO UPDATE SET next_offset = GREATEST(platform_consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
    consumerGroup,
    topic,
    partition,
    (BigInt(lastOffset) + 1n).toString(),
  );
}
