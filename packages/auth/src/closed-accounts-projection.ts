import { TenancyEvent, type TenancyPayloads } from "@platform/contracts";
import { enterTenant, inTenant, type TenantDatabase, type TenantSqlClient } from "@platform/database";
import type { ClosedAccounts } from "./closed-accounts";

/**
 * The closed_accounts table a service other than tenancy keeps (a tenant table: account_id, closed_at),
 * as its generated Prisma client names it: typed by shape, so the kit needs no service's client.
 */
export interface ClosedAccountTables extends TenantSqlClient {
  closedAccount: {
    upsert(args: {
      where: { accountId: string };
      create: { accountId: string; closedAt: Date };
      update: Record<string, never>;
    }): Promise<unknown>;
    findUnique(args: { where: { accountId: string } }): Promise<unknown>;
  };
}

type Closed = TenancyPayloads[typeof TenancyEvent.OrganizationClosed];

/**
 * tenancy's OrganizationClosed, projected into the service's closed_accounts. Closed is final, so a row
 * is only ever added, with the event's time (not the apply's): a replay writes what the live run wrote.
 * A service registers it through its `handlersFor<TenancyPayloads>()`, beside its own tenancy handlers.
 */
export function closedAccountHandlers<Tx extends ClosedAccountTables>() {
  return {
    [TenancyEvent.OrganizationClosed]: async (tx: Tx, event: { data: Closed; occurredAt: Date }) => {
      const { account_id: accountId } = event.data;
      await enterTenant(tx, accountId);
      await tx.closedAccount.upsert({
        where: { accountId },
        create: { accountId, closedAt: event.occurredAt },
        update: {},
      });
    },
  };
}

/** The service's answer to "is this organization closed?", from what `closedAccountHandlers` projected. */
export function projectedClosedAccounts<Tx extends ClosedAccountTables>(
  db: TenantDatabase<Tx>,
): ClosedAccounts {
  return {
    isClosed: async (accountId) =>
      (await inTenant(db, accountId, (tx) => tx.closedAccount.findUnique({ where: { accountId } }))) !== null,
  };
}
