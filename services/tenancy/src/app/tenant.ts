import { accountClosedError, ROLE_DEFINITIONS_TABLE } from "@platform/auth";
import { type CrossTenantTable, enterTenant, type TransactionOf } from "@platform/database";
import { appendForTenant, type EventStore, type NewEvent } from "@platform/event-sourcing";
import { type Actor, TenancyEvent } from "../domain/events";
import { acceptsWrites } from "../domain/lifecycle";
import type { PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type Tx = TransactionOf<Db>;

/**
 * Tenancy's tables read across tenants: the one place that says which, why, and by what key. Each is a
 * tenant table for writes (forced row-level security, the tenant policy); its lookup policy opens SELECT
 * for the key a `lookupAcrossTenants` call names, nothing more. The isolation test holds the database to
 * this list, and their migrations come from `platform-db tenant:sql`.
 */
export const CROSS_TENANT = {
  verifiedDomains: {
    table: "verified_domains",
    lookupBy: "domain",
    reason:
      "a verified domain belongs to one organization platform-wide: a person's address must find that " +
      "organization (auto-join), and a claim must see another organization's (domain_taken)",
  },
  organizationCreators: {
    table: "organization_creators",
    lookupBy: "user_id",
    reason:
      "identity's EmailVerified names a person, not an organization: it ticks onboarding in every one they created",
  },
  /** The auth kit's role catalog (trustedAccessHandlers). */
  roleDefinitions: ROLE_DEFINITIONS_TABLE,
} as const satisfies Record<string, CrossTenantTable>;

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
 * Appends one aggregate's events in the caller's transaction, stamped as the kit's `appendForTenant`
 * stamps every tenant event; `expectedVersion` is the version of the state the command decided on.
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
  expectedVersion: number,
): Promise<void> {
  const closing = events.every((event) => event.type === TenancyEvent.OrganizationClosed);
  if (!closing && (await accountIsClosed(tx, aggregate.accountId, { hold: true })))
    throw accountClosedError(aggregate.accountId);
  await appendForTenant(store, tx, { aggregate, expectedVersion, events, actor, now });
}

/**
 * The one lock across aggregates: holds the organization row (FOR UPDATE) until the transaction ends.
 * Only for rules the expected version of one aggregate cannot guard, because they read several
 * (a move's cycle check over the group tree, seat counts, the last owner, the closing); each caller
 * says which. Answers the organization's status, null when there is none.
 */
export async function lockOrganization(tx: Tx, accountId: string): Promise<string | null> {
  await enterTenant(tx, accountId);
  const rows = await tx.$queryRawUnsafe<{ status: string }[]>(
    "SELECT status FROM organizations WHERE account_id = $1 FOR UPDATE",
    accountId,
  );
  return rows[0]?.status ?? null;
}
