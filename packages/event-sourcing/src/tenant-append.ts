import type { EventStore, StoredEvent } from "./event-store";
import type { SqlClient } from "./sql";

/** Who issued the command, as every domain record's `actor` field carries it. */
export interface ActorStamp {
  type: string;
  id: string | null;
}

export interface TenantAppend {
  /** The aggregate and the organization it belongs to: the events' tenant and their `account_id`. */
  aggregate: { type: string; id: string; accountId: string };
  /** The version of the state the command decided on (see `EventStore.append`). */
  expectedVersion: number;
  /** As the domain decided them: each payload without the stamp, which is added here. */
  events: readonly { type: string; data: object }[];
  actor: ActorStamp;
  /** The time the command decided at: every event's `occurred_at`. */
  now: Date;
}

/**
 * Appends one tenant aggregate's events, each stamped as every tenant event is: `account_id` first (a
 * payload's own still wins), then `occurred_at` and `actor`, which always come from the command; the
 * metadata names the actor by id, or by type when it has none (`system`). Checks such as tenancy's
 * "a closed organization takes no writes" belong to the caller, around this call.
 */
export async function appendForTenant<Tx extends SqlClient>(
  store: EventStore<Tx>,
  tx: Tx,
  request: TenantAppend,
): Promise<StoredEvent[]> {
  const { aggregate, actor, now } = request;
  return store.append(tx, {
    aggregate: { type: aggregate.type, id: aggregate.id, tenantId: aggregate.accountId },
    expectedVersion: request.expectedVersion,
    events: request.events.map((event) => ({
      type: event.type,
      data: { account_id: aggregate.accountId, ...event.data, occurred_at: now.getTime(), actor },
    })),
    metadata: { actor: actor.id ?? actor.type },
  });
}
