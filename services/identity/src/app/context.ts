import type { EventStore, NewEvent } from "@platform/event-sourcing";
import type { Actor } from "../domain/events";
import type { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Who is asking and from where: becomes every event's `actor` and the audit log's who/from-where. */
export interface RequestOrigin {
  actor: Actor;
}

/**
 * Appends one aggregate's events in the caller's transaction, at the version it has now: identity
 * decides against rows it locks in the same transaction, so the version is only there to keep each
 * aggregate's events ordered and to make concurrent appends conflict rather than interleave.
 */
export async function appendEvents(
  store: EventStore,
  tx: Tx,
  aggregate: { type: string; id: string; tenantId?: string | null },
  events: NewEvent[],
  actor: Actor,
): Promise<void> {
  const expectedVersion = await store.currentVersion(tx, aggregate.id);
  await store.append(tx, {
    aggregateType: aggregate.type,
    aggregateId: aggregate.id,
    expectedVersion,
    tenantId: aggregate.tenantId ?? null,
    events,
    metadata: { actor: actor.id ?? actor.type },
  });
}
