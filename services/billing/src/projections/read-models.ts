import type { KeyRing, RoleCatalog } from "@platform/auth";
import {
  IdentityEvent,
  type IdentityPayloads,
  TenancyEvent,
  type TenancyPayloads,
} from "@platform/contracts";
import { enterTenant } from "@platform/database";
import { handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import type { Tx } from "../app/tenant";

/**
 * Where platform-wide role definitions (account_id null in RoleDefined) are filed: a key of their own,
 * never "" (what a pooled connection reads for app.tenant_id once an earlier transaction set it).
 */
export const PLATFORM_ROLES = "platform";

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
    ...handlersFor<IdentityPayloads>()<Tx>({
      [IdentityEvent.SigningKeyPublished]: async (tx, event) => {
        const { data } = event;
        const jwk: object = JSON.parse(data.public_key_jwk);
        const notBefore = new Date(data.not_before);
        keyRing.applySigningKeyEvent("SigningKeyPublished", data);
        await tx.trustedKey.upsert({
          where: { kid: data.key_id },
          create: { kid: data.key_id, jwk, notBefore },
          update: { jwk, notBefore },
        });
      },
      [IdentityEvent.SigningKeyRetired]: async (tx, event) => {
        const { data } = event;
        // The event's time, not the apply's: a replay writes what the live run wrote.
        await tx.trustedKey.updateMany({
          where: { kid: data.key_id },
          data: { retiredAt: event.occurredAt },
        });
        keyRing.applySigningKeyEvent("SigningKeyRetired", data);
      },
      [IdentityEvent.RoleDefined]: async (tx, event) => {
        const { data } = event;
        roles.apply(data);
        const key = { accountId: data.account_id ?? PLATFORM_ROLES, role: data.role };
        await enterTenant(tx, key.accountId);
        await tx.roleDefinition.upsert({
          where: { accountId_role: key },
          create: { ...key, permissions: [...data.permissions] },
          update: { permissions: [...data.permissions] },
        });
      },
    }),
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
