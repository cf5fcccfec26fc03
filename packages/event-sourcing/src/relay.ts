import { describeError } from "@platform/errors";
import { type AvroSerde, domainEventMessage } from "@platform/messaging";
import { type Logger, withProducerSpan } from "@platform/observability";
import type { Message, Producer } from "kafkajs";
import type { EventCatalog } from "./event-catalog";
import { EVENT_COLUMNS, type StoredEvent, toStoredEvent } from "./event-store";
import type { SqlClient, TransactionalDatabase } from "./sql";

export interface RelayOptions<Tx extends SqlClient> {
  db: TransactionalDatabase<Tx>;
  producer: Producer;
  serde: AvroSerde;
  catalog: EventCatalog;
  /** The service's domain event log, e.g. `tenancy.events`. */
  topic: string;
  logger: Logger;
  batchSize?: number;
  idlePollMs?: number;
  /** Longest pause between attempts while Kafka or the registry is unreachable. */
  maxBackoffMs?: number;
  /** Seams for crash tests: called after Kafka acknowledged a batch, before it is marked published. */
  afterSend?: (events: StoredEvent[]) => Promise<void>;
}

/**
 * Publishes the event store's unpublished rows to the service topic, in position order, keyed by
 * aggregate id (one aggregate = one partition = one order). A batch is marked published only after
 * Kafka acknowledged it, inside a transaction holding an advisory lock, so two relay instances never
 * interleave. A crash between the acknowledgement and the commit publishes the batch again:
 * consumers deduplicate by aggregate version (see Projector).
 */
export class Relay<Tx extends SqlClient> {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: RelayOptions<Tx>) {
    this.batchSize = options.batchSize ?? 200;
    this.idlePollMs = options.idlePollMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in flight, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publishes one batch; returns how many events it published (0 when idle or another relay holds the lock). */
  async publishBatch(): Promise<number> {
    const { db, producer, topic } = this.options;
    return db.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
          "SELECT pg_try_advisory_xact_lock(hashtext('platform_relay:' || $1)) AS locked",
          topic,
        );
        if (!lock?.locked) return 0;
        const rows = await tx.$queryRawUnsafe<Parameters<typeof toStoredEvent>[0][]>(
          `SELECT ${EVENT_COLUMNS} FROM platform_events WHERE published_at IS NULL ORDER BY position LIMIT $1`,
          this.batchSize,
        );
        if (rows.length === 0) return 0;
        const events = rows.map(toStoredEvent);
        const messages = await Promise.all(events.map((event) => this.toMessage(event)));
        await withProducerSpan(topic, () => producer.send({ topic, acks: -1, messages }));
        await this.options.afterSend?.(events);
        await tx.$executeRawUnsafe(
          "UPDATE platform_events SET published_at = now() WHERE position = ANY($1::bigint[])",
          events.map((event) => event.position.toString()),
        );
        return events.length;
      },
      // Kafka may take its whole retry budget before answering while a broker restarts.
      { timeout: 120_000, maxWait: 10_000 },
    );
  }

  private toMessage(event: StoredEvent): Promise<Message> {
    // The publish joins the trace of the command that appended the event.
    return domainEventMessage(
      this.options.serde,
      this.options.topic,
      this.options.catalog.get(event.type).schema,
      {
        ...event,
        trace: event.metadata.trace ?? {},
      },
    );
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const published = await this.publishBatch();
        if (failures > 0) this.options.logger.info({ topic: this.options.topic }, "relay recovered");
        failures = 0;
        if (published < this.batchSize) await this.pause(this.idlePollMs);
      } catch (error) {
        failures += 1;
        const backoff = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(failures, 10));
        this.options.logger.warn(
          { topic: this.options.topic, failures, backoffMs: backoff, error: describeError(error) },
          "relay could not publish; retrying",
        );
        await this.pause(backoff);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
