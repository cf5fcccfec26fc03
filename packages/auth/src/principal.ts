import { PlatformError } from "@platform/errors";
import { AuthErrorCodes } from "./codes";
import { grantsBeyond, permits } from "./permissions";
import type { TokenType } from "./tokens";

/** Who is calling, as a verified access token says. */
export interface Principal {
  kind: TokenType;
  /** The user id, or the API key id. */
  subject: string;
  /** null for API keys. */
  sessionId: string | null;
  /** The account the principal acts in; null for a user who has not chosen one. */
  accountId: string | null;
  /** The user's role in `accountId`; null for API keys. */
  role: string | null;
  /** Effective grants: the role's definition for users, the key's scope for API keys. */
  permissions: string[];
}

export function hasPermission(principal: Principal, required: string): boolean {
  return permits(principal.permissions, required);
}

/**
 * Throws 403 `permission_denied` unless the principal holds `required`. For commands to call themselves,
 * so the HTTP route and the Kafka handler that share a command share the check too (STYLE.md §3).
 */
export function assertPermitted(principal: Principal, required: string): void {
  if (!permits(principal.permissions, required)) {
    throw new PlatformError("forbidden", AuthErrorCodes.permissionDenied, `missing permission ${required}`, {
      details: { required },
    });
  }
}

/** Throws 403 `account_mismatch` unless the principal currently acts in `accountId`. */
export function assertAccount(principal: Principal, accountId: string): void {
  if (principal.accountId !== accountId) {
    throw new PlatformError(
      "forbidden",
      AuthErrorCodes.accountMismatch,
      "the token is not for this account; switch accounts to get one",
      { details: { accountId } },
    );
  }
}

/**
 * Throws 403 `grant_exceeds_own_permissions`, naming what is missing, unless the principal holds every
 * grant it is handing on: the scopes of a key it mints, the permissions of a role it defines or assigns.
 */
export function assertMayGrant(principal: Principal, grants: readonly string[], what: string): void {
  const missing = grantsBeyond(principal.permissions, grants);
  if (missing.length > 0) {
    throw new PlatformError(
      "forbidden",
      AuthErrorCodes.grantExceedsOwn,
      `${what} would hold permissions you do not: ${missing.join(", ")}`,
      { details: { missing } },
    );
  }
}
