import { InvalidInputError, isRetriable, UnavailableError } from "@platform/errors";
import { type AvroSchema, type AvroSerde, Headers, readHeader } from "@platform/messaging";
import { type Logger, withConsumerSpan } from "@platform/observability";
import type { Kafka, KafkaMessage, Producer } from "kafkajs";
import { type DeadLetterOutcome, type Decoded, ProjectionConsumer } from "./projection-consumer";
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

/**
 * For a consumer that reads what another projection of the same topics writes (a process reading a
 * read model): resolves once `consumerGroup` has passed `event` (applied or dead-lettered it: its
 * stored offset on the event's partition is beyond it). Consumer groups move at their own pace;
 * without this a process could decide on a read model that has not seen the very event it reacts to.
 * The position is polled (each read sees the latest commit, never locking it, so the other projection
 * is not held up) for up to `waitMs`; still behind then, it throws a transient UnavailableError
 * (`projection_behind`), so the caller's projector rolls back and applies the event again later.
 */
export async function requireProjected(
  tx: SqlClient,
  consumerGroup: string,
  event: Pick<ProjectedEvent, "topic" | "partition" | "offset" | "type">,
  waitMs = 2_000,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [row] = await tx.$queryRawUnsafe<{ next_offset: bigint }[]>(
      "SELECT next_offset FROM platform_consumer_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3",
      consumerGroup,
      event.topic,
      event.partition,
    );
    if (row !== undefined && BigInt(event.offset) < BigInt(row.next_offset)) return;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new UnavailableError(
    "projection_behind",
    `${consumerGroup} has not yet applied ${event.type} at ${event.topic}/${event.partition}@${event.offset}`,
  );
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
 * transaction (see applyRun).
 */
export class Projector<Tx extends SqlClient> extends ProjectionConsumer<ProjectedEvent, Outcome> {
  constructor(private readonly options: ProjectorOptions<Tx>) {
    super(
      options,
      { partitionsConsumedConcurrently: 1, maxRun: MAX_RUN },
      { applied: 0, duplicate: 0, redelivered: 0, "dead-lettered": 0 },
    );
  }

  /**
   * Rebuild = reset + replay: `reset` empties the read models inside the same transaction that
   * forgets this projection's offsets and versions, then consumption restarts from offset 0.
   */
  async rebuild(reset: (tx: Tx) => Promise<void>): Promise<void> {
    await this.stopAndForget(this.options.db, async (tx) => {
      await reset(tx);
      await tx.$executeRawUnsafe(
        "DELETE FROM platform_applied_versions WHERE consumer_group = $1",
        this.name,
      );
    });
    await this.start();
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

  /**
   * Fast path: a run of decodable messages is applied in ONE transaction (offsets, versions and
   * read-model rows together). If any of them fails for a lasting reason, that transaction rolls
   * back and the run is applied again message by message, so only the culprit is dead-lettered.
   */
  protected async applyRun(topic: string, partition: number, run: Decoded<ProjectedEvent>[]): Promise<void> {
    try {
      await this.applyAll(run);
    } catch (error) {
      if (isRetriable(error)) {
        throw this.retrying(topic, partition, run[0]?.message.offset, error);
      }
      for (const { message, event } of run) await this.applyOne(topic, partition, message, event);
    }
  }

  /**
   * The run's bookkeeping costs four statements whatever its length: read (and lock) the partition's
   * stored offset and the stored versions of the run's aggregates, then, after the handlers, upsert
   * the versions that moved and the next offset. Per message only the handler talks to the database.
   */
  private async applyAll(items: Decoded<ProjectedEvent>[]): Promise<void> {
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const { topic, partition } = first.event;
    const outcomes = await this.options.db.$transaction(
      async (tx) => {
        const stored = await this.offsets.next(tx, topic, partition);
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
              if (stored !== undefined && BigInt(event.offset) < stored) return "redelivered";
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
        await this.offsets.advanceTo(tx, topic, partition, last.message.offset);
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
      if (isRetriable(error)) throw this.retrying(topic, partition, message.offset, error);
      await this.deadLetter(topic, partition, message, error, "apply");
    }
  }

  protected async decode(topic: string, partition: number, message: KafkaMessage): Promise<ProjectedEvent> {
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
    if (await this.offsets.isSettled(tx, event.topic, event.partition, event.offset)) return "redelivered";
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
    await this.offsets.advanceTo(tx, event.topic, event.partition, event.offset);
    return outcome;
  }

  protected countDeadLetter(outcome: DeadLetterOutcome): void {
    this.counts[outcome === "settled" ? "redelivered" : "dead-lettered"] += 1;
  }
}
