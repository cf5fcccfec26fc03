import { describeError, isRetriable } from "@platform/errors";
import { publishDeadLetter } from "@platform/messaging";
import type { Logger } from "@platform/observability";
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from "kafkajs";
import type { ConsumerOffsets } from "./offsets";
import type { SqlClient, TransactionalDatabase } from "./sql";

export interface ConsumerLoopOptions {
  /** The consumer group. */
  name: string;
  kafka: Kafka;
  topics: string[];
  logger: Logger;
  offsets: ConsumerOffsets;
  partitionsConsumedConcurrently: number;
  /** How long a fetch waits for records (kafkajs' default when absent). */
  maxWaitTimeInMs?: number;
  /** Called only once the seek of the latest assignment is done. */
  eachBatch: (payload: EachBatchPayload) => Promise<void>;
}

/**
 * The consumer under both projectors: a kafkajs group that, on every partition assignment, seeks to
 * the offsets stored in the database, so no message is applied from a stale position; restarts
 * itself after a crash kafkajs will not recover from; and measures lag from the stored offsets.
 */
export class ConsumerLoop {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  /** The seek issued on the latest assignment; batches wait for it so none is applied from a stale position. */
  private seeking: Promise<void> = Promise.resolve();

  constructor(private readonly options: ConsumerLoopOptions) {}

  async start(): Promise<void> {
    if (this.consumer) return;
    const { kafka, name, logger, topics } = this.options;
    const consumer = kafka.consumer({
      groupId: name,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      ...(this.options.maxWaitTimeInMs === undefined
        ? {}
        : { maxWaitTimeInMs: this.options.maxWaitTimeInMs }),
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
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        await this.seeking;
        await this.options.eachBatch(payload);
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
    this.admin ??= this.options.kafka.admin();
    await this.admin.connect();
    return this.options.offsets.lag(this.admin, this.options.topics);
  }

  /** Runs `work` with an admin client of its own, disconnected afterwards whatever happens. */
  async withAdmin<R>(work: (admin: Admin) => Promise<R>): Promise<R> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  private async seekToStoredOffsets(assignment: Record<string, number[]>): Promise<void> {
    const rows = await this.options.offsets.all();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const row = rows.find((r) => r.topic === topic && r.partition === partition);
        this.consumer?.seek({ topic, partition, offset: row ? String(row.next_offset) : "0" });
      }
    }
  }
}

/** A decoded message with the record it came from. */
export interface Decoded<Event> {
  message: KafkaMessage;
  event: Event;
}

export interface RunSteps<Event> {
  /** Most messages handed to `applyRun` at once. */
  maxRun: number;
  /** Throws a retriable error to have the batch retried, any other to have the message dead-lettered. */
  decode(topic: string, partition: number, message: KafkaMessage): Promise<Event>;
  /** Applies a run of consecutive decoded messages, stores their offsets, dead-letters any at fault. */
  applyRun(topic: string, partition: number, run: Decoded<Event>[]): Promise<void>;
  deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    stage: "decode",
  ): Promise<void>;
}

/**
 * Splits a fetched batch into runs of up to `maxRun` consecutive decodable messages and applies them
 * in order; a message that cannot be decoded ends the run before it and is dead-lettered on its own.
 * Kafka's offset is resolved after each run, so a rebalance loses at most the run in progress.
 */
export async function consumeInRuns<Event>(
  { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
  steps: RunSteps<Event>,
): Promise<void> {
  const { topic, partition } = batch;
  let run: Decoded<Event>[] = [];
  const flush = async () => {
    const last = run[run.length - 1];
    if (!last) return;
    const pending = run;
    run = [];
    await steps.applyRun(topic, partition, pending);
    resolveOffset(last.message.offset);
    await heartbeat();
  };
  for (const message of batch.messages) {
    if (!isRunning() || isStale()) break;
    let event: Event;
    try {
      event = await steps.decode(topic, partition, message);
    } catch (error) {
      if (isRetriable(error)) throw error;
      await flush();
      await steps.deadLetter(topic, partition, message, error, "decode");
      resolveOffset(message.offset);
      continue;
    }
    run.push({ message, event });
    if (run.length >= steps.maxRun) await flush();
  }
  await flush();
}

/** Logs a transient failure about to be thrown back to kafkajs, which retries the batch; returns the error. */
export function retrying(
  logger: Logger,
  topic: string,
  partition: number,
  offset: string | undefined,
  error: unknown,
): unknown {
  logger.warn({ topic, partition, offset, error: describeError(error) }, "retrying");
  return error;
}

export interface DeadLetterContext {
  consumerGroup: string;
  db: TransactionalDatabase<SqlClient>;
  offsets: ConsumerOffsets;
  producer: Producer;
  logger: Logger;
}

/**
 * Publishes a message that failed for a lasting reason to the group's dead-letter topic, then moves
 * the stored offset past it. Returns "settled" (and publishes nothing) when the stored offset is
 * already past it: another consumer applied or dead-lettered it meanwhile.
 */
export async function deadLetter(
  { consumerGroup, db, offsets, producer, logger }: DeadLetterContext,
  topic: string,
  partition: number,
  message: KafkaMessage,
  error: unknown,
  stage: "decode" | "apply",
): Promise<"dead-lettered" | "settled"> {
  if (await db.$transaction((tx) => offsets.isSettled(tx, topic, partition, message.offset)))
    return "settled";
  logger.error(
    { topic, partition, offset: message.offset, stage, error: describeError(error) },
    "message dead-lettered",
  );
  // Published before the offset moves on: a crash in between dead-letters it twice, never zero times.
  await publishDeadLetter(producer, { consumerGroup, topic, partition, message, error, stage });
  await db.$transaction((tx) => offsets.advanceTo(tx, topic, partition, message.offset));
  return "dead-lettered";
}
