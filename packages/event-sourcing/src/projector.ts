import { describeError, InvalidInputError, isRetriable } from "@platform/errors";
import { type AvroSchema, type AvroSerde, Headers, publishDeadLetter, readHeader } from "@platform/messaging";
import { type Logger, withConsumerSpan } from "@platform/observability";
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from "kafkajs";
import type { SqlClient, TransactionalDatabase } from "./sql";

export interface ProjectedEvent<T = unknown> {
  eventId: string;
  type: string;
  aggregateId: string;
  version: number;
  tenantId: string | undefined;
  occurredAt: Date;
  data: T;
  topic: string;
  partition: number;
  offset: string;
}

export type ProjectionHandler<Tx> = (tx: Tx, event: ProjectedEvent) => Promise<void>;

/** A handler that reads its event's payload as `Data`; `Type` narrows `event.type` where one handler serves several types. */
export type EventHandler<Tx, Data, Type extends string = string> = (
  tx: Tx,
  event: ProjectedEvent<Data> & { type: Type },
) => Promise<void>;

/**
 * Handlers by event type for a payload map (a generated catalog's `<Service>Payloads`, or several
 * intersected): each handler receives its own type's payload, and a type the map does not name is
 * a compile error, so a renamed or misspelt event cannot leave a handler that silently never runs.
 */
export type TypedHandlers<Tx, Payloads> = {
  [Type in keyof Payloads & string]?: EventHandler<Tx, Payloads[Type], Type>;
};

/**
 * `handlersFor<TenancyPayloads>()({ [TenancyEvent.MemberAdded]: async (tx, event) => ... })`.
 * Curried so the payload map is given and the transaction type is inferred from where the handlers go.
 */
export function handlersFor<Payloads>() {
  return <Tx>(handlers: TypedHandlers<Tx, Payloads>): Record<string, ProjectionHandler<Tx>> => {
    // The one place payload types meet decoded data. Sound because the projector decodes each event
    // with the reader schema of its type (the latest version, which the generated map names) and
    // calls only the handler registered under that same type.
    const decoded: object = handlers;
    return decoded as Record<string, ProjectionHandler<Tx>>;
  };
}

export interface ProjectorOptions<Tx extends SqlClient> {
  /** The consumer group; also the key of this projection's offsets and its dead-letter topic. */
  name: string;
  kafka: Kafka;
  /** Shared producer used for dead letters. */
  producer: Producer;
  db: TransactionalDatabase<Tx>;
  serde: AvroSerde;
  topics: string[];
  /** Handlers by event type; events of other types advance the offset and nothing else. */
  handlers: Record<string, ProjectionHandler<Tx>>;
  /** Reader schemas by event type: records are resolved into the version this projection was written for. */
  readerSchemas?: Record<string, AvroSchema>;
  logger: Logger;
}

type Outcome = "applied" | "duplicate" | "redelivered" | "dead-lettered";

/** Most messages applied in one transaction: bounds its duration and the work redone on a rollback. */
const MAX_RUN = 100;

/**
 * Applies a topic to read models, exactly once in effect. The offset of each applied message is
 * stored in the same transaction as the rows the handler writes; on every partition assignment the
 * consumer seeks to the stored offset, so the database, not Kafka's committed offsets, says what was
 * applied. Relay re-publications (same aggregate version again) are skipped by a per-aggregate
 * version check (per topic: aggregate ids are unique only within one service's log). A message that cannot be decoded or applied for a reason that will not go away is
 * published to the group's dead-letter topic with the reason, and the projector goes on; a transient
 * failure (database or broker down) is retried instead. Runs of up to MAX_RUN messages share one
 * transaction (see handleBatch).
 */
export class Projector<Tx extends SqlClient> {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  /** The seek issued on the latest assignment; messages wait for it so none is applied from a stale position. */
  private seeking: Promise<void> = Promise.resolve();
  private readonly counts: Record<Outcome, number> = {
    applied: 0,
    duplicate: 0,
    redelivered: 0,
    "dead-lettered": 0,
  };

  constructor(private readonly options: ProjectorOptions<Tx>) {}

  get name(): string {
    return this.options.name;
  }

  get stats(): Readonly<Record<Outcome, number>> {
    return this.counts;
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const consumer = this.options.kafka.consumer({
      groupId: this.options.name,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
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
      // kafkajs restarts by itself after retriable failures; after any other, so do we, after a pause.
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
      partitionsConsumedConcurrently: 1,
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

  /**
   * Rebuild = reset + replay: `reset` empties the read models inside the same transaction that
   * forgets this projection's offsets and versions, then consumption restarts from offset 0.
   */
  async rebuild(reset: (tx: Tx) => Promise<void>): Promise<void> {
    await this.stop();
    await this.options.db.$transaction(async (tx) => {
      await reset(tx);
      await tx.$executeRawUnsafe(
        "DELETE FROM platform_consumer_offsets WHERE consumer_group = $1",
        this.name,
      );
      await tx.$executeRawUnsafe(
        "DELETE FROM platform_applied_versions WHERE consumer_group = $1",
        this.name,
      );
    });
    // Kafka's committed offsets follow the database back to the start, so lag tools agree with it:
    // the group (now empty) is deleted with its offsets, in one request. (admin.resetOffsets joins the
    // group once per topic to commit, which costs a rebalance delay each.)
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([this.name]).catch((error: unknown) => {
        this.options.logger.warn({ error: describeError(error) }, "could not reset committed offsets");
      });
    } finally {
      await admin.disconnect();
    }
    await this.start();
  }

  /** Messages on the subscribed topics not yet applied, from the database's point of view. */
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

  /**
   * Resolves once the projection has applied every message up to its topics' end offsets as they are
   * when it looks (after a rebuild: the whole history); fails after `timeoutMs`.
   */
  async caughtUp(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lag = await this.lag();
      if (lag === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${this.name} has ${lag} messages left to apply after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** What this projection has applied, per topic and partition: the source of truth, not Kafka. */
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

  /**
   * Fast path: a run of decodable messages is applied in ONE transaction (offsets, versions and
   * read-model rows together). If any of them fails for a lasting reason, that transaction rolls
   * back and the run is applied again message by message, so only the culprit is dead-lettered.
   */
  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    await this.seeking;
    const { topic, partition } = batch;
    let run: { message: KafkaMessage; event: ProjectedEvent }[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      const pending = run;
      run = [];
      try {
        await this.applyAll(pending);
      } catch (error) {
        if (isRetriable(error)) throw this.retrying(topic, partition, pending[0]?.message, error);
        for (const { message, event } of pending) await this.applyOne(topic, partition, message, event);
      }
      const last = pending[pending.length - 1];
      if (last) resolveOffset(last.message.offset);
      await heartbeat();
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      let event: ProjectedEvent;
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
      if (run.length >= MAX_RUN) await flush();
    }
    await flush();
  }

  /**
   * The run's bookkeeping costs four statements whatever its length: read (and lock) the partition's
   * stored offset and the stored versions of the run's aggregates, then, after the handlers, upsert
   * the versions that moved and the next offset. Per message only the handler talks to the database.
   */
  private async applyAll(items: { message: KafkaMessage; event: ProjectedEvent }[]): Promise<void> {
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const { topic, partition } = first.event;
    const outcomes = await this.options.db.$transaction(
      async (tx) => {
        const [stored] = await tx.$queryRawUnsafe<{ next_offset: bigint }[]>(
          "SELECT next_offset FROM platform_consumer_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE",
          this.name,
          topic,
          partition,
        );
        const aggregateIds = [...new Set(items.map(({ event }) => event.aggregateId))];
        const rows = await tx.$queryRawUnsafe<{ aggregate_id: string; version: number }[]>(
          `SELECT aggregate_id, version FROM platform_applied_versions
           WHERE consumer_group = $1 AND topic = $2 AND aggregate_id = ANY($3::text[]) FOR UPDATE`,
          this.name,
          topic,
          aggregateIds,
        );
        const versions = new Map(rows.map((row) => [row.aggregate_id, Number(row.version)]));
        const moved = new Map<string, number>();
        const results: Outcome[] = [];
        for (const { message, event } of items) {
          const outcome = await withConsumerSpan(
            event.topic,
            message.headers ?? {},
            async (): Promise<Outcome> => {
              if (stored && BigInt(event.offset) < BigInt(stored.next_offset)) return "redelivered";
              const applied = versions.get(event.aggregateId);
              if (applied !== undefined && event.version <= applied) return "duplicate";
              const handler = this.options.handlers[event.type];
              if (handler) await handler(tx, event);
              versions.set(event.aggregateId, event.version);
              moved.set(event.aggregateId, event.version);
              return "applied";
            },
          );
          results.push(outcome);
        }
        if (moved.size > 0) {
          await tx.$executeRawUnsafe(
            `INSERT INTO platform_applied_versions (consumer_group, topic, aggregate_id, version)
             SELECT $1, $2, aggregate_id, version FROM unnest($3::text[], $4::integer[]) AS t(aggregate_id, version)
             ON CONFLICT (consumer_group, topic, aggregate_id) DO UPDATE SET version = EXCLUDED.version`,
            this.name,
            topic,
            [...moved.keys()],
            [...moved.values()],
          );
        }
        await this.storeOffset(tx, topic, partition, last.message.offset);
        return results;
      },
      { timeout: 60_000 },
    );
    for (const outcome of outcomes) this.counts[outcome] += 1;
  }

  private async applyOne(topic: string, partition: number, message: KafkaMessage, event: ProjectedEvent) {
    try {
      const outcome = await withConsumerSpan(topic, message.headers ?? {}, () =>
        this.options.db.$transaction((tx) => this.applyWithin(tx, event)),
      );
      this.counts[outcome] += 1;
    } catch (error) {
      if (isRetriable(error)) throw this.retrying(topic, partition, message, error);
      await this.deadLetter(topic, partition, message, error, "apply");
    }
  }

  private retrying(
    topic: string,
    partition: number,
    message: KafkaMessage | undefined,
    error: unknown,
  ): unknown {
    this.options.logger.warn(
      { topic, partition, offset: message?.offset, error: describeError(error) },
      "retrying",
    );
    return error;
  }

  private async decode(topic: string, partition: number, message: KafkaMessage): Promise<ProjectedEvent> {
    const type = readHeader(message.headers, Headers.eventType);
    const aggregateId = readHeader(message.headers, Headers.aggregateId);
    const version = Number(readHeader(message.headers, Headers.aggregateVersion));
    const eventId = readHeader(message.headers, Headers.eventId);
    if (!type || !aggregateId || !eventId || !Number.isInteger(version) || version < 1) {
      throw new InvalidInputError(
        "event_headers_missing",
        "event-type, event-id, aggregate-id and aggregate-version headers are required",
      );
    }
    if (!message.value) throw new InvalidInputError("event_value_missing", "message has no value");
    const readerSchema = this.options.readerSchemas?.[type];
    const data = (await this.options.serde.decode(message.value, readerSchema)) as Record<string, unknown>;
    const occurredAt = readHeader(message.headers, Headers.occurredAt);
    return {
      eventId,
      type,
      aggregateId,
      version,
      tenantId: readHeader(message.headers, Headers.tenantId),
      occurredAt: occurredAt ? new Date(occurredAt) : new Date(Number(message.timestamp)),
      data,
      topic,
      partition,
      offset: message.offset,
    };
  }

  private async applyWithin(tx: Tx, event: ProjectedEvent): Promise<Outcome> {
    if (await this.alreadyApplied(tx, event.topic, event.partition, event.offset)) return "redelivered";
    const [last] = await tx.$queryRawUnsafe<{ version: number }[]>(
      "SELECT version FROM platform_applied_versions WHERE consumer_group = $1 AND topic = $2 AND aggregate_id = $3 FOR UPDATE",
      this.name,
      event.topic,
      event.aggregateId,
    );
    let outcome: Outcome = "duplicate";
    if (!last || event.version > Number(last.version)) {
      const handler = this.options.handlers[event.type];
      if (handler) await handler(tx, event);
      await tx.$executeRawUnsafe(
        `INSERT INTO platform_applied_versions (consumer_group, topic, aggregate_id, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (consumer_group, topic, aggregate_id) DO UPDATE SET version = EXCLUDED.version`,
        this.name,
        event.topic,
        event.aggregateId,
        event.version,
      );
      outcome = "applied";
    }
    await this.storeOffset(tx, event.topic, event.partition, event.offset);
    return outcome;
  }

  private async alreadyApplied(tx: Tx, topic: string, partition: number, offset: string): Promise<boolean> {
    const [row] = await tx.$queryRawUnsafe<{ next_offset: bigint }[]>(
      "SELECT next_offset FROM platform_consumer_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE",
      this.name,
      topic,
      partition,
    );
    return row !== undefined && BigInt(offset) < BigInt(row.next_offset);
  }

  private async storeOffset(tx: Tx, topic: string, partition: number, offset: string): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO platform_consumer_offsets (consumer_group, topic, partition, next_offset, updated_at)
       VALUES ($1, $2, $3, $4::bigint, now())
       ON CONFLICT (consumer_group, topic, partition)
       DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
      this.name,
      topic,
      partition,
      (BigInt(offset) + 1n).toString(),
    );
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    stage: "decode" | "apply",
  ): Promise<void> {
    const { db, logger, producer } = this.options;
    const settled = await db.$transaction((tx) => this.alreadyApplied(tx, topic, partition, message.offset));
    if (settled) {
      this.counts.redelivered += 1;
      return;
    }
    logger.error(
      { topic, partition, offset: message.offset, stage, error: describeError(error) },
      "message dead-lettered",
    );
    // Published before the offset moves on: a crash in between dead-letters it twice, never zero times.
    await publishDeadLetter(producer, { consumerGroup: this.name, topic, partition, message, error, stage });
    await db.$transaction(async (tx) => {
      if (!(await this.alreadyApplied(tx, topic, partition, message.offset))) {
        await this.storeOffset(tx, topic, partition, message.offset);
      }
    });
    this.counts["dead-lettered"] += 1;
  }
}
