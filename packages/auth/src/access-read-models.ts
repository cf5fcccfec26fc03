import {
  type AccessControl,
  type AccessControlOptions,
  createAccessControl,
  type TrustedAccessTables,
  trustedAccessHandlers,
} from "./access-control";
import type { ClosedAccounts } from "./closed-accounts";
import {
  type ClosedAccountTables,
  closedAccountHandlers,
  projectedClosedAccounts,
} from "./closed-accounts-projection";

/** The tables the handlers write, typed by shape as the service's generated client names them. */
type AccessTables = TrustedAccessTables & ClosedAccountTables;

/**
 * identity's SigningKeyPublished, SigningKeyRetired and RoleDefined (into the access's key ring and role
 * catalog and their tables) and tenancy's OrganizationClosed (into closed_accounts): spread into the
 * service's `handlersFor<IdentityPayloads & TenancyPayloads>()`, beside its own handlers.
 */
export type AccessHandlers<Tx extends AccessTables> = ReturnType<typeof trustedAccessHandlers<Tx>> &
  ReturnType<typeof closedAccountHandlers<Tx>>;

/** What a service keeps of identity and tenancy to guard its routes, and the projections that keep it. */
export interface AccessReadModels<Tx extends AccessTables> {
  /** Verifies identity's tokens: its keys, roles and revocations (`createAccessControl`). */
  readonly access: AccessControl;
  /** Whether tenancy closed an organization, from the service's closed_accounts. */
  readonly closedAccounts: ClosedAccounts;
  /** The read-model handlers that keep both current. */
  readonly handlers: AccessHandlers<Tx>;
}

/**
 * The access a service other than identity and tenancy needs, in one call: the token verifier and the
 * closed-organization check its route guards take, and the read-model handlers that feed both from
 * identity's and tenancy's topics. The handlers write into this access's own key ring and role catalog,
 * so the service cannot wire a verifier apart from what its projector learns. A rebuild empties the
 * tables with `resetTrustedAccess` and the service's own reset of closed_accounts.
 */
export function accessReadModels<Tx extends AccessTables>(
  options: AccessControlOptions<Tx>,
): AccessReadModels<Tx> {
  const access = createAccessControl(options);
  return {
    access,
    closedAccounts: projectedClosedAccounts(options.runtime.db),
    handlers: {
      ...trustedAccessHandlers<Tx>(access.keyRing, access.roles),
      ...closedAccountHandlers<Tx>(),
    },
  };
}
