import type { EventStore, NewEvent } from "@platform/event-sourcing";
import type { Actor } from "../domain/events";
import type { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export type { Clock } from "@platform/event-sourcing";
export { systemClock } from "@platform/event-sourcing";

/** Who is asking and from where: becomes every event's `actor` and the audit log's who/from-where. */
export interface RequestOrigin {
  actor: Actor;
}

/** Appends one aggregate's events in the caller's transaction, with the actor as the store's metadata. */
export async function appendEvents(
  store: EventStore,
  tx: Tx,
  aggregate: { type: string; id: string; tenantId?: string | null },
  events: NewEvent[],
  actor: Actor,
): Promise<void> {
  await store.appendNext(tx, aggregate, events, { actor: actor.id ?? actor.type });
}
