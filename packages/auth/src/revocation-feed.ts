import { randomUUID } from "node:crypto";
import {
  type AccessRevoked,
  IdentityEvent,
  latestSchemasOf,
  loadContracts,
  SCHEMAS_ROOT,
} from "@platform/contracts";
import { type AvroSerde, Headers, readHeader } from "@platform/messaging";
import type { Logger } from "@platform/observability";
import type { Consumer, EachMessagePayload, Kafka } from "kafkajs";
import { REVOCATION_SCOPES, type RevocationScope, type RevocationSet } from "./revocations";

export const ACCESS_REVOKED = IdentityEvent.AccessRevoked;

export interface RevocationFeedOptions {
  kafka: Kafka;
  serde: AvroSerde;
  /** identity's domain log (identity.events). */
  topic: string;
  revocations: RevocationSet;
  /** The service's name: each instance reads in a consumer group of its own, `<name>.revocations.<uuid>`. */
  name: string;
  logger: Logger;
  now?: () => Date;
  /** How long start() waits to have read the window's revocations before it gives up. */
  catchUpTimeoutMs?: number;
}

/**
 * Keeps a RevocationSet current from identity's AccessRevoked events, in every instance of a service.
 * Revocations matter only while a token they refuse can be alive, so there is nothing to store: at start
 * the feed starts from the first event of the window (by timestamp) and reads to the end before start()
 * returns, so a restarted instance never serves a revoked token; then it follows the topic. Each
 * instance has its own consumer group and commits nothing: every instance must see every revocation.
 */
export class RevocationFeed {
  private consumer?: Consumer;
  private pruneTimer?: NodeJS.Timeout;
  private readonly reader = latestSchemasOf(loadContracts(SCHEMAS_ROOT), "identity.events")[ACCESS_REVOKED];
  private readonly now: () => Date;

  constructor(private readonly options: RevocationFeedOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    const { kafka, topic, revocations, logger } = this.options;
    const since = this.now().getTime() - revocations.windowSeconds * 1000;
    const groupId = `${this.options.name}.revocations.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    let starts: Map<number, string>;
    let ends: Map<number, bigint>;
    try {
      ends = new Map(
        (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)] as const),
      );
      // -1 where no message is that recent: start at the end.
      starts = new Map(
        (await admin.fetchTopicOffsetsByTimestamp(topic, since)).map(
          (p) => [p.partition, p.offset === "-1" ? String(ends.get(p.partition) ?? 0n) : p.offset] as const,
        ),
      );
      // The window's start is committed for the new group before it joins, not sought after: kafkajs
      // restarts a consumer that crashes while joining (a coordinator still loading, in CI) with a new
      // group session that would have forgotten a seek, and resumes from committed offsets instead.
      await admin.setOffsets({
        groupId,
        topic,
        partitions: [...starts].map(([partition, offset]) => ({ partition, offset })),
      });
    } finally {
      await admin.disconnect();
    }

    // Partitions with something left to read up to the end seen now; start() waits for them.
    const behind = new Set(
      [...ends].filter(([p, end]) => BigInt(starts.get(p) ?? "0") < end).map(([p]) => p),
    );
    let caughtUp: () => void = () => {};
    const allRead = new Promise<void>((resolve) => {
      caughtUp = resolve;
      if (behind.size === 0) resolve();
    });

    await this.follow(groupId, ({ partition, message }) => {
      const end = ends.get(partition);
      if (behind.has(partition) && end !== undefined && BigInt(message.offset) + 1n >= end) {
        behind.delete(partition);
        if (behind.size === 0) caughtUp();
      }
    });

    const timeoutMs = this.options.catchUpTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`revocations: ${topic} not read to its end within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([allRead, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    logger.info({ topic, revocations: revocations.size }, "revocations read; following");
    this.pruneTimer = setInterval(() => revocations.prune(this.now().getTime()), 60_000);
    this.pruneTimer.unref();
  }

  /**
   * Reads the topic in the feed's group from its committed offsets (the window's start: the group
   * commits nothing else). kafkajs restarts the consumer itself after a retriable crash; after any
   * other the feed starts a new consumer in the same group after a pause, which reads the window again
   * (adding a revocation twice changes nothing), so a revocation is never missed for long.
   */
  private async follow(groupId: string, onRead: (payload: EachMessagePayload) => void): Promise<void> {
    const { kafka, topic, logger } = this.options;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error(
        { topic, error: payload.error.message, restart: payload.restart },
        "revocation feed crashed",
      );
      if (payload.restart) return;
      setTimeout(() => {
        if (this.consumer !== consumer) return;
        consumer
          .disconnect()
          .then(() => this.follow(groupId, onRead))
          .catch((error: unknown) =>
            logger.error({ topic, error: (error as Error).message }, "revocation feed could not restart"),
          );
      }, 5_000).unref();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        const { partition, message } = payload;
        if (readHeader(message.headers, Headers.eventType) === ACCESS_REVOKED && message.value) {
          await this.apply(message.value, partition, message.offset);
        }
        onRead(payload);
      },
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private async apply(value: Buffer, partition: number, offset: string): Promise<void> {
    try {
      const event = (await this.options.serde.decode(value, this.reader)) as AccessRevoked;
      if (!REVOCATION_SCOPES.includes(event.scope as RevocationScope))
        throw new Error(`scope ${event.scope}`);
      this.options.revocations.add({
        scope: event.scope as RevocationScope,
        subjectId: event.subject_id,
        accountId: event.account_id,
        tokensIssuedBefore: Number(event.tokens_issued_before),
      });
    } catch (error) {
      // identity's own audit projector dead-letters an unreadable event; this reader, one per instance
      // and per start, only says so (a dead letter from every instance would be noise).
      this.options.logger.error(
        { topic: this.options.topic, partition, offset, error: (error as Error).message },
        "revocation event could not be read",
      );
    }
  }
}
