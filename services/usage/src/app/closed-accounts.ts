import { inTenant } from "@platform/database";
import type { Db } from "./tenant";

/** Organizations tenancy closed, as usage projected them (OrganizationClosed): asked per request. */
export class ClosedAccounts {
  constructor(private readonly db: Db) {}

  async isClosed(accountId: string): Promise<boolean> {
    const row = await inTenant(this.db, accountId, (tx) =>
      tx.closedAccount.findUnique({ where: { accountId } }),
    );
    return row !== null;
  }
}
