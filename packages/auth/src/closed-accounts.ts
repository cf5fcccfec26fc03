import { ConflictError } from "@platform/errors";
import { AuthErrorCodes } from "./codes";

/**
 * Whether an organization (account) has been closed. Closing is tenancy's (`OrganizationClosed` on
 * tenancy.events) and final; tenancy answers from its own row, every other service from its
 * projection of that topic. Asked per request rather than cached in memory: a projector's consumer
 * group hands each event to one instance only, so only the database is the same for all instances.
 */
export interface ClosedAccounts {
  isClosed(accountId: string): Promise<boolean>;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** POST, PUT, PATCH and DELETE change something; GET, HEAD and OPTIONS only look. */
export function isWriteMethod(method: string | undefined): boolean {
  return method !== undefined && WRITE_METHODS.has(method.toUpperCase());
}

/** 409 `organization_closed`: the one answer to any write into a closed organization, whatever the route. */
export function accountClosedError(accountId: string): ConflictError {
  return new ConflictError(AuthErrorCodes.accountClosed, "the organization is closed and takes no changes", {
    details: { accountId },
  });
}

export async function assertAccountOpen(closed: ClosedAccounts, accountId: string): Promise<void> {
  if (await closed.isClosed(accountId)) throw accountClosedError(accountId);
}
