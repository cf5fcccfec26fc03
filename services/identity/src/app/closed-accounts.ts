import { assertAccountOpen, type ClosedAccounts } from "@platform/auth";
import type { Db, Tx } from "./context";

/**
 * identity's answer to "is this organization closed?": the closed_accounts read model, projected from
 * tenancy's OrganizationClosed (services never ask each other over HTTP). Read in the caller's
 * transaction where there is one, so a check and the write it guards see the same state.
 */
export function closedAccountsIn(db: Db | Tx): ClosedAccounts {
  return {
    isClosed: async (accountId) =>
      (await db.closedAccount.findUnique({ where: { accountId }, select: { accountId: true } })) !== null,
  };
}

/** 409 `organization_closed` when the organization is closed. */
export async function assertOpen(db: Db | Tx, accountId: string): Promise<void> {
  await assertAccountOpen(closedAccountsIn(db), accountId);
}
