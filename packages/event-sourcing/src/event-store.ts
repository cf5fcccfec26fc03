import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@platform/database";
import { ConcurrencyConflictError, InvalidInputError } from "@platform/errors";
import { injectTraceHeaders } from "@platform/observability";
import type { EventCatalog } from "./event-catalog";
import type { SqlClient } from "./sql";

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

export interface StoredEvent {
  position: bigint;
  eventId: string;
  aggregateType: string;
  aggregateId: string;
  version: number;
  type: string;
  tenantId: string | null;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  occurredAt: Date;
}

export interface AppendRequest {
  aggregateType: string;
  aggregateId: string;
  /** The version the command decided on: 0 for a new aggregate. */
  expectedVersion: number;
  tenantId?: string | null;
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

/**
 * The service's event store, which is also its outbox: appending inside the command's transaction
 * makes the decision and the events one atomic write, and the relay publishes from the same rows.
 * (aggregate_id, version) is unique, so of two writers racing on one aggregate one commits and the
 * other gets a ConcurrencyConflictError, never an overwrite or a gap.
 */
export class EventStore {
  constructor(
    private readonly catalog: EventCatalog,
    private readonly clock: () => Date = () => new Date(),
  ) {}

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
   * Appends at the aggregate's current version, for services that decide commands against rows they
   * lock in the same transaction: the version then only keeps one aggregate's events in order, and
   * concurrent appends conflict instead of interleaving.
   */
  async appendNext(
    tx: SqlClient,
    aggregate: { type: string; id: string; tenantId?: string | null },
    events: NewEvent[],
    metadata?: EventMetadata,
  ): Promise<StoredEvent[]> {
    return this.append(tx, {
      aggregateType: aggregate.type,
      aggregateId: aggregate.id,
      expectedVersion: await this.currentVersion(tx, aggregate.id),
      tenantId: aggregate.tenantId ?? null,
      events,
      metadata,
    });
  }

  async append(tx: SqlClient, request: AppendRequest): Promise<StoredEvent[]> {
    if (request.events.length === 0) return [];
    if (!Number.isInteger(request.expectedVersion) || request.expectedVersion < 0) {
      throw new InvalidInputError("expected_version_invalid", "expectedVersion must be a whole number >= 0");
    }
    for (const event of request.events) this.catalog.validate(event.type, event.data);

    // Fails fast with a clear conflict; the unique index below is what actually guarantees it.
    const current = await this.currentVersion(tx, request.aggregateId);
    if (current !== request.expectedVersion) {
      throw new ConcurrencyConflictError(request.aggregateId, request.expectedVersion, {
        details: { actualVersion: current },
      });
    }

    const metadata: EventMetadata = { ...request.metadata, trace: request.metadata?.trace ?? currentTrace() };
    const occurredAt = this.clock();
    const stored: StoredEvent[] = [];
    for (const [index, event] of request.events.entries()) {
      try {
        const [row] = await tx.$queryRawUnsafe<EventRow[]>(
          `INSERT INTO platform_events
             (event_id, aggregate_type, aggregate_id, version, event_type, tenant_id, payload, metadata, occurred_at)
           VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)
           RETURNING ${EVENT_COLUMNS}`,
          randomUUID(),
          request.aggregateType,
          request.aggregateId,
          request.expectedVersion + index + 1,
          event.type,
          request.tenantId ?? null,
          JSON.stringify(event.data),
          JSON.stringify(metadata),
          occurredAt,
        );
        if (row) stored.push(toStoredEvent(row));
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConcurrencyConflictError(request.aggregateId, request.expectedVersion, { cause: error });
        }
        throw error;
      }
    }
    return stored;
  }
}

function currentTrace(): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  injectTraceHeaders(headers);
  return Object.keys(headers).length > 0 ? headers : undefined;
}
