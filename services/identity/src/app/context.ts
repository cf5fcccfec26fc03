import type { TransactionOf } from "@platform/database";
import type { EventStore, NewEvent } from "@platform/event-sourcing";
import { type Actor, IdentityEvent } from "../domain/events";
import type { PrismaClient } from "../generated/prisma/client";
import { assertOpen } from "./closed-accounts";

export type Db = PrismaClient;
export type Tx = TransactionOf<Db>;

export type { Clock } from "@platform/event-sourcing";
export { systemClock } from "@platform/event-sourcing";

/** Who is asking and from where: becomes every event's `actor` and the audit log's who/from-where. */
export interface RequestOrigin {
  actor: Actor;
}

/** Taking access away (a session ended, a credential revoked) changes nothing in the organization. */
const ALLOWED_IN_CLOSED: ReadonlySet<string> = new Set([
  IdentityEvent.UserSignedOut,
  IdentityEvent.ApiKeyRevoked,
  IdentityEvent.ScimTokenRevoked,
  IdentityEvent.AccessRevoked,
]);

/**
 * Appends one aggregate's events in the caller's transaction, with the actor as the store's metadata.
 * Every change identity makes in an organization ends here, so this is the last wall against writing
 * into a closed one (409 `organization_closed`, the transaction undone) for paths the HTTP guard and
 * the commands' own checks do not see.
 */
export async function appendEvents(
  store: EventStore,
  tx: Tx,
  aggregate: { type: string; id: string; tenantId?: string | null },
  events: NewEvent[],
  actor: Actor,
  /**
   * The version of the state the command decided on (its inline-projected row's version, 0 for a new
   * aggregate): a concurrent writer makes this fail with 409 `concurrency_conflict`.
   */
  expectedVersion: number,
): Promise<void> {
  if (aggregate.tenantId && events.some((event) => !ALLOWED_IN_CLOSED.has(event.type)))
    await assertOpen(tx, aggregate.tenantId);
  const metadata = { actor: actor.id ?? actor.type };
  await store.append(tx, { aggregate, expectedVersion, events, metadata });
}
