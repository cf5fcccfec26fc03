import { describeError, isRetriable } from "@platform/errors";
import { publishDeadLetter } from "@platform/messaging";
import type { Logger } from "@platform/observability";
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from "kafkajs";
import { ConsumerOffsets } from "./offsets";
import type { SqlClient, TransactionalDatabase } from "./sql";

/** What both projectors are given to consume with (a subset of their options). */
export interface ProjectionSource {
  /** The consumer group; also the key of the projection's offsets and its dead-letter topic. */
  name: string;
  kafka: Kafka;
  /** Shared producer used for dead letters. */
  producer: Producer;
  db: TransactionalDatabase<SqlClient>;
  topics: string[];
  logger: Logger;
}

export interface ConsumerTuning {
  partitionsConsumedConcurrently: number;
  /** How long a fetch waits for records (kafkajs' default when absent). */
  maxWaitTimeInMs?: number;
  /** Bytes a fetch waits for, up to `maxWaitTimeInMs` (kafkajs' default, 1, when absent). */
  minBytes?: number;
  /** Most decoded messages handed to `applyRun` at once. */
  maxRun: number;
}

/** A decoded message with the record it came from. */
export interface Decoded<Event> {
  message: KafkaMessage;
  event: Event;
}

/** What became of a message handed to dead-lettering: "settled" when its offset was already stored past it. */
export type DeadLetterOutcome = "dead-lettered" | "settled";

/**
 * The core of both projectors (Projector, BatchProjector): a kafkajs group that, on every partition
 * assignment, seeks to the offsets stored in the database, so no message is applied from a stale
 * position; restarts itself after a crash kafkajs will not recover from; splits each fetched batch
 * into runs of decoded messages for the projector's `applyRun`; dead-letters what cannot be decoded
 * or applied for a lasting reason; and measures lag from the stored offsets. A projector adds how it
 * decodes, how it applies a run, and how it counts.
 */
export abstract class ProjectionConsumer<Event, Outcome extends string> {
  protected readonly offsets: ConsumerOffsets;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  /** The seek issued on the latest assignment; batches wait for it so none is applied from a stale position. */
  private seeking: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: ProjectionSource,
    private readonly tuning: ConsumerTuning,
    protected readonly counts: Record<Outcome, number>,
  ) {
    this.offsets = new ConsumerOffsets(source.db, source.name);
  }

  get name(): string {
    return this.source.name;
  }

  get stats(): Readonly<Record<Outcome, number>> {
    return this.counts;
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const { kafka, logger, topics } = this.source;
    const consumer = kafka.consumer({
      groupId: this.name,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      ...(this.tuning.maxWaitTimeInMs === undefined ? {} : { maxWaitTimeInMs: this.tuning.maxWaitTimeInMs }),
      ...(this.tuning.minBytes === undefined ? {} : { minBytes: this.tuning.minBytes }),
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.seeking = this.seekToStoredOffsets(payload.memberAssignment).catch((error: unknown) =>
        logger.error({ error: describeError(error) }, "could not seek to stored offsets"),
      );
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ error: describeError(payload.error), restart: payload.restart }, "consumer crashed");
      // kafkajs restarts by itself after retriable failures; after any other, so do we, after a pause.
      if (!payload.restart && this.consumer === consumer) {
        setTimeout(() => {
          if (this.consumer !== consumer) return;
          this.stop()
            .then(() => this.start())
            .catch((error: unknown) => logger.error({ error: describeError(error) }, "restart failed"));
        }, 5_000);
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        await this.seeking;
        await this.consumeInRuns(payload);
      },
    });
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  /** Records on the subscribed topics not yet applied, from the database's point of view. */
  async lag(): Promise<number> {
    this.admin ??= this.source.kafka.admin();
    await this.admin.connect();
    return this.offsets.lag(this.admin, this.source.topics);
  }

  /**
   * The first half of a rebuild: stops consuming, runs `reset` (which empties the read model) in the
   * transaction that forgets the stored offsets, then has Kafka's committed offsets follow the
   * database back to the start, so lag tools agree with it: the group (now empty) is deleted with its
   * offsets in one request (admin.resetOffsets joins the group once per topic to commit, which costs
   * a rebalance delay each). The caller starts again when it is ready.
   */
  protected async stopAndForget<Tx extends SqlClient>(
    db: TransactionalDatabase<Tx>,
    reset: (tx: Tx) => Promise<void>,
  ): Promise<void> {
    await this.stop();
    await db.$transaction(async (tx) => {
      await reset(tx);
      await this.offsets.forget(tx);
    });
    await this.withAdmin(async (admin) => {
      await admin.deleteGroups([this.name]).catch((error: unknown) => {
        this.source.logger.warn({ error: describeError(error) }, "could not reset committed offsets");
      });
    });
  }

  /** Throws a retriable error to have the batch retried, any other to have the message dead-lettered. */
  protected abstract decode(topic: string, partition: number, message: KafkaMessage): Promise<Event>;

  /** Applies a run of consecutive decoded messages and stores their offsets; dead-letters any at fault. */
  protected abstract applyRun(topic: string, partition: number, run: Decoded<Event>[]): Promise<void>;

  /** Counts a message handed to `deadLetter`. */
  protected abstract countDeadLetter(outcome: DeadLetterOutcome): void;

  /** Runs `work` with an admin client of its own, disconnected afterwards whatever happens. */
  protected async withAdmin<R>(work: (admin: Admin) => Promise<R>): Promise<R> {
    const admin = this.source.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Logs a transient failure about to be thrown back to kafkajs, which retries the batch; returns the error. */
  protected retrying(topic: string, partition: number, offset: string | undefined, error: unknown): unknown {
    this.source.logger.warn({ topic, partition, offset, error: describeError(error) }, "retrying");
    return error;
  }

  /**
   * Publishes a message that failed for a lasting reason to the group's dead-letter topic, then moves
   * the stored offset past it. Publishes nothing when the stored offset is already past it (another
   * consumer applied or dead-lettered it meanwhile).
   */
  protected async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    stage: "decode" | "apply",
  ): Promise<void> {
    const { db, logger, producer } = this.source;
    if (await db.$transaction((tx) => this.offsets.isSettled(tx, topic, partition, message.offset))) {
      this.countDeadLetter("settled");
      return;
    }
    logger.error(
      { topic, partition, offset: message.offset, stage, error: describeError(error) },
      "message dead-lettered",
    );
    // Published before the offset moves on: a crash in between dead-letters it twice, never zero times.
    await publishDeadLetter(producer, { consumerGroup: this.name, topic, partition, message, error, stage });
    await db.$transaction((tx) => this.offsets.advanceTo(tx, topic, partition, message.offset));
    this.countDeadLetter("dead-lettered");
  }

  /**
   * Splits a fetched batch into runs of up to `maxRun` consecutive decodable messages and applies them
   * in order; a message that cannot be decoded ends the run before it and is dead-lettered on its own.
   * Kafka's offset is resolved after each run, so a rebalance loses at most the run in progress.
   */
  private async consumeInRuns({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    let run: Decoded<Event>[] = [];
    const flush = async () => {
      const last = run[run.length - 1];
      if (!last) return;
      const pending = run;
      run = [];
      await this.applyRun(topic, partition, pending);
      resolveOffset(last.message.offset);
      await heartbeat();
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      let event: Event;
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
      if (run.length >= this.tuning.maxRun) await flush();
    }
    await flush();
  }

  private async seekToStoredOffsets(assignment: Record<string, number[]>): Promise<void> {
    const rows = await this.offsets.all();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const row = rows.find((r) => r.topic === topic && r.partition === partition);
        this.consumer?.seek({ topic, partition, offset: row ? String(row.next_offset) : "0" });
      }
    }
  }
}
