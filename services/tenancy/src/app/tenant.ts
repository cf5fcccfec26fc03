import { accountClosedError } from "@platform/auth";
import type { EventStore, NewEvent } from "@platform/event-sourcing";
import { type Actor, TenancyEvent } from "../domain/events";
import { acceptsWrites } from "../domain/lifecycle";
import type { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * Runs work in one transaction scoped to one tenant: row-level security then shows and accepts only
 * that organization's rows. The setting is local to the transaction (set_config's third argument),
 * so it never leaks to the next user of a pooled connection.
 */
export async function inTenant<T>(db: Db, accountId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await enterTenant(tx, accountId);
    return work(tx);
  });
}

/** For code already in a transaction (projection handlers): scope the rest of it to one tenant. */
export async function enterTenant(tx: Tx, accountId: string): Promise<void> {
  await tx.$queryRawUnsafe("SELECT set_config('app.tenant_id', $1, true)", accountId);
}

/**
 * Every organization's id, for the few jobs that must visit each tenant in turn (SLA sweeps, read-model
 * resets). organization_creators is the one table naming every organization without row-level security.
 */
export async function allTenantIds(client: Db | Tx): Promise<string[]> {
  const rows = await client.organizationCreator.findMany({
    select: { accountId: true },
    distinct: ["accountId"],
    orderBy: { accountId: "asc" },
  });
  return rows.map((row) => row.accountId);
}

/**
 * Whether the organization is closed (an unknown one is not); scopes the transaction to it. With
 * `hold`, the row is held (FOR KEY SHARE) until the transaction ends, so a closing waits for this write
 * to commit, and a write waiting on a closing sees it closed: none lands after OrganizationClosed. Plain
 * updates of the row do not wait on it; only the closing's and the seat checks' FOR UPDATE do.
 */
export async function accountIsClosed(
  tx: Tx,
  accountId: string,
  options: { hold?: boolean } = {},
): Promise<boolean> {
  await enterTenant(tx, accountId);
  const rows = await tx.$queryRawUnsafe<{ status: string }[]>(
    `SELECT status FROM organizations WHERE account_id = $1${options.hold ? " FOR KEY SHARE" : ""}`,
    accountId,
  );
  return rows[0] !== undefined && !acceptsWrites(rows[0].status);
}

/**
 * Appends one aggregate's events in the caller's transaction, every event stamped with the actor.
 * Every tenancy change ends here, so this is where "a closed organization takes no writes" holds for
 * paths the HTTP guard never sees (processes, sweeps, whatever comes next): the transaction fails
 * with 409 `organization_closed`, rows and all. Only the closing itself is recorded after the fact.
 */
export async function record(
  store: EventStore,
  tx: Tx,
  aggregate: { type: string; id: string; accountId: string },
  events: NewEvent[],
  actor: Actor,
  now: Date,
): Promise<void> {
  const closing = events.every((event) => event.type === TenancyEvent.OrganizationClosed);
  if (!closing && (await accountIsClosed(tx, aggregate.accountId, { hold: true })))
    throw accountClosedError(aggregate.accountId);
  await store.appendNext(
    tx,
    { type: aggregate.type, id: aggregate.id, tenantId: aggregate.accountId },
    events.map((event) => ({
      type: event.type,
      data: { account_id: aggregate.accountId, ...event.data, occurred_at: now.getTime(), actor },
    })),
    { actor: actor.id ?? actor.type },
  );
}
