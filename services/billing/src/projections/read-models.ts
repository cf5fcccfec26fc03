import { type KeyRing, type RoleCatalog, resetTrustedAccess, trustedAccessHandlers } from "@platform/auth";
import { type IdentityPayloads, TenancyEvent, type TenancyPayloads } from "@platform/contracts";
import { allTenantIds, enterTenant } from "@platform/database";
import { handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import { CROSS_TENANT, type Tx } from "../app/tenant";

/**
 * billing's read models of other services' topics: identity's signing keys and role definitions (what
 * the token verifier trusts, kept so a restart trusts the same) and the organizations tenancy closed.
 * Each handler validates before it stores, so what the verifier refuses is dead-lettered, never kept.
 */
export function readModelHandlers(
  keyRing: KeyRing,
  roles: RoleCatalog,
): Record<string, ProjectionHandler<Tx>> {
  return {
    ...handlersFor<IdentityPayloads>()<Tx>(trustedAccessHandlers(keyRing, roles)),
    ...handlersFor<TenancyPayloads>()<Tx>({
      [TenancyEvent.OrganizationClosed]: async (tx, event) => {
        const { account_id: accountId } = event.data;
        await enterTenant(tx, accountId);
        await tx.closedAccount.upsert({
          where: { accountId },
          create: { accountId, closedAt: event.occurredAt },
          update: {},
        });
      },
    }),
  };
}

/** Empties the read models for a rebuild from the topics (every tenant's closed accounts, the trusted access). */
export async function resetReadModels(tx: Tx): Promise<void> {
  for (const accountId of await allTenantIds(tx)) {
    await enterTenant(tx, accountId);
    await tx.closedAccount.deleteMany({ where: { accountId } });
  }
  await resetTrustedAccess(tx, CROSS_TENANT.roleDefinitions);
}
