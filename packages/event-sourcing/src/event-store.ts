import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@platform/database";
import { ConcurrencyConflictError, InvalidInputError } from "@platform/errors";
import { injectTraceHeaders } from "@platform/observability";
import type { EventCatalog } from "./event-catalog";
import type { SqlClient, TransactionalDatabase } from "./sql";

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface EventMetadata {
  /** Who caused it: a user id, an API key id, `system`. */
  actor?: string;
  correlationId?: string;
  causationId?: string;
  /** W3C trace context of the command, so the relay's publish joins the request's trace. */
  trace?: Record<string, string>;
}

export interface StoredEvent<Data = Record<string, unknown>> {
  position: bigint;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  version: number;
  type: string;
  tenantId: string | null;
  data: Data;
  metadata: EventMetadata;
  occurredAt: Date;
}

export interface AggregateRef {
  /** e.g. `organization`; kept with every event for tools and audits. */
  type: string;
  id: string;
  /** The tenant the aggregate belongs to: the `tenant-id` header, and what row-level security keys on. */
  tenantId?: string | null;
}

export interface AppendRequest {
  aggregate: AggregateRef;
  /** The version of the state the command decided on: 0 for a new aggregate. */
  expectedVersion: number;
  events: NewEvent[];
  metadata?: EventMetadata;
}

interface EventRow {
  position: bigint;
  event_id: string;
  aggregate_type: string;
  aggregate_id: string;
  version: number;
  event_type: string;
  tenant_id: string | null;
  payload: Record<string, unknown>;
  metadata: EventMetadata;
  occurred_at: Date;
}

export const EVENT_COLUMNS =
  "position, event_id::text AS event_id, aggregate_type, aggregate_id, version, event_type, tenant_id, payload, metadata, occurred_at";

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: BigInt(row.position),
    eventId: row.event_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    version: Number(row.version),
    type: row.event_type,
    tenantId: row.tenant_id,
    data: row.payload,
    metadata: row.metadata,
    occurredAt: row.occurred_at,
  };
}

/** The time, injectable so tests can move it (SLA timers, expiries). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/**
 * Writes a service's own state rows for one event type, inside the append's transaction. It may read
 * and write only what the event and its own aggregate's rows decide, so that replaying the log in
 * position order (see `rebuildInline`) writes what the live run wrote.
 */
export type InlineHandler<Tx, Data = Record<string, unknown>> = (
  tx: Tx,
  event: StoredEvent<Data>,
) => Promise<void>;

/**
 * One handler per event type, typed by that type's payload when the service has an event map
 * (`{ "platform.test.ledger.AccountOpened": AccountOpenedPayload, ... }`).
 */
export type InlineHandlers<Tx, Events extends object = Record<string, Record<string, unknown>>> = {
  [Type in keyof Events]?: InlineHandler<Tx, Events[Type]>;
};

/**
 * Several projections' handlers as one set: where two write for the same event type, both run, in the
 * order given, in the append's transaction (a state table and a ledger fed by the same events).
 */
export function combineInlineHandlers<Tx, Events extends object>(
  ...sets: InlineHandlers<Tx, Events>[]
): InlineHandlers<Tx, Events> {
  const combined: Record<string, InlineHandler<Tx, never>[]> = {};
  for (const set of sets)
    for (const [type, handler] of Object.entries(set) as [string, InlineHandler<Tx, never> | undefined][])
      if (handler) combined[type] = [...(combined[type] ?? []), handler];
  return Object.fromEntries(
    Object.entries(combined).map(([type, handlers]) => [
      type,
      async (tx: Tx, event: StoredEvent<never>) => {
        for (const handler of handlers) await handler(tx, event);
      },
    ]),
  ) as InlineHandlers<Tx, Events>;
}

export interface EventStoreOptions<Tx> {
  /** The service's one clock, shared with its commands: the time of every event not given one. */
  clock?: Clock;
  /**
   * The service's inline projections, run on every appended event and by `rebuildInline`; usually an
   * `InlineHandlers<Tx, Events>` (`never` here accepts a handler typed for any one payload).
   */
  inline?: Readonly<Record<string, InlineHandler<Tx, never> | undefined>>;
}

/**
 * Method syntax on purpose: an EventStore<PrismaTx> must stay usable where an EventStore<SqlClient> is
 * expected (code that only loads and appends), which a function-typed private field would forbid.
 */
interface InlineDispatch<Tx> {
  apply(tx: Tx, event: StoredEvent): Promise<void>;
}

/** Events read back per query while rebuilding: bounds memory, not the transaction. */
const REBUILD_PAGE = 500;

/**
 * The service's event store, which is also its outbox: appending inside the command's transaction
 * makes the decision and the events one atomic write, and the relay publishes from the same rows.
 * (aggregate_id, version) is unique, so of two writers racing on one aggregate one commits and the
 * other gets a ConcurrencyConflictError, never an overwrite or a gap.
 */
export class EventStore<Tx extends SqlClient = SqlClient> {
  private readonly clock: Clock;
  private readonly inline: InlineDispatch<Tx>;

  constructor(
    private readonly catalog: EventCatalog,
    options: EventStoreOptions<Tx> = {},
  ) {
    this.clock = options.clock ?? systemClock;
    // Each handler is called only with events of its own type, whose payload the catalog validated
    // against that type's schema at append: the payload is the type the handler was written for.
    const handlers = (options.inline ?? {}) as Record<string, InlineHandler<Tx> | undefined>;
    // A handler for a type the service does not write would never run: refused when wired.
    for (const type of Object.keys(handlers)) this.catalog.get(type);
    this.inline = { apply: async (tx, event) => handlers[event.type]?.(tx, event) };
  }

  async load(tx: SqlClient, aggregateId: string, afterVersion = 0): Promise<StoredEvent[]> {
    const rows = await tx.$queryRawUnsafe<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM platform_events WHERE aggregate_id = $1 AND version > $2 ORDER BY version`,
      aggregateId,
      afterVersion,
    );
    return rows.map(toStoredEvent);
  }

  async currentVersion(tx: SqlClient, aggregateId: string): Promise<number> {
    const [row] = await tx.$queryRawUnsafe<{ version: number | null }[]>(
      "SELECT max(version) AS version FROM platform_events WHERE aggregate_id = $1",
      aggregateId,
    );
    return Number(row?.version ?? 0);
  }

  /**
   * Appends the events at `expectedVersion + 1 …` and applies the inline handlers to them, all in
   * the caller's transaction. `expectedVersion` must be the version of the state the command decided
   * on; if another writer appended since, this throws ConcurrencyConflictError (409
   * `concurrency_conflict`) and the caller's transaction is to be rolled back.
   */
  async append(tx: Tx, request: AppendRequest): Promise<StoredEvent[]> {
    const { aggregate, expectedVersion } = request;
    if (request.events.length === 0) return [];
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new InvalidInputError("expected_version_invalid", "expectedVersion must be a whole number >= 0");
    }
    const now = this.clock.now();
    const events = request.events.map((event) => this.stamped(event, now));
    for (const event of events) this.catalog.validate(event.type, event.data);

    // Fails fast with a clear conflict; the unique index below is what actually guarantees it.
    const current = await this.currentVersion(tx, aggregate.id);
    if (current !== expectedVersion) {
      throw new ConcurrencyConflictError(aggregate.id, expectedVersion, {
        details: { actualVersion: current },
      });
    }

    const metadata: EventMetadata = { ...request.metadata, trace: request.metadata?.trace ?? currentTrace() };
    const stored: StoredEvent[] = [];
    for (const [index, event] of events.entries()) {
      try {
        const [row] = await tx.$queryRawUnsafe<EventRow[]>(
          `INSERT INTO platform_events
             (event_id, aggregate_type, aggregate_id, version, event_type, tenant_id, payload, metadata, occurred_at)
           VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)
           RETURNING ${EVENT_COLUMNS}`,
          randomUUID(),
          aggregate.type,
          aggregate.id,
          expectedVersion + index + 1,
          event.type,
          aggregate.tenantId ?? null,
          JSON.stringify(event.data),
          JSON.stringify(metadata),
          event.occurredAt,
        );
        if (row) stored.push(toStoredEvent(row));
      } catch (error) {
        // The concurrent writer's insert got the index entry first; waiting for its commit is all
        // Postgres does, no row of the state is locked for it.
        if (isUniqueViolation(error)) {
          throw new ConcurrencyConflictError(aggregate.id, expectedVersion, { cause: error });
        }
        throw error;
      }
    }
    for (const event of stored) await this.applyInline(tx, event);
    return stored;
  }

  /**
   * Rebuilds the inline projections from this service's own log: `reset` empties their tables, then
   * every stored event is applied again in position order, all in one transaction, so readers see
   * either the old tables or the rebuilt ones. Returns how many events were replayed.
   */
  async rebuildInline(db: TransactionalDatabase<Tx>, reset: (tx: Tx) => Promise<void>): Promise<number> {
    return db.$transaction(
      async (tx) => {
        await reset(tx);
        let after = 0n;
        let replayed = 0;
        for (;;) {
          const rows = await tx.$queryRawUnsafe<EventRow[]>(
            `SELECT ${EVENT_COLUMNS} FROM platform_events WHERE position > $1::bigint ORDER BY position LIMIT $2`,
            after.toString(),
            REBUILD_PAGE,
          );
          for (const row of rows) {
            const event = toStoredEvent(row);
            await this.applyInline(tx, event);
            after = event.position;
          }
          replayed += rows.length;
          if (rows.length < REBUILD_PAGE) return replayed;
        }
      },
      { timeout: 600_000, maxWait: 10_000 },
    );
  }

  private async applyInline(tx: Tx, event: StoredEvent): Promise<void> {
    await this.inline.apply(tx, event);
  }

  /**
   * One time per event, seen the same by every reader: the occurred-at column (and so the header)
   * and the payload's `occurred_at`. A command that decided with a time from the service's clock
   * (due dates computed from it, say) keeps it; otherwise the store's clock, the same clock, sets both.
   */
  private stamped(event: NewEvent, now: Date): NewEvent & { occurredAt: Date } {
    if (!this.catalog.hasField(event.type, "occurred_at")) return { ...event, occurredAt: now };
    const decided = event.data.occurred_at;
    const occurredAt = typeof decided === "number" ? new Date(decided) : now;
    return { ...event, data: { ...event.data, occurred_at: occurredAt.getTime() }, occurredAt };
  }
}

function currentTrace(): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  injectTraceHeaders(headers);
  return Object.keys(headers).length > 0 ? headers : undefined;
}
