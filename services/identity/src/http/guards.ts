import * as auth from "@platform/auth";
import { PlatformError } from "@platform/errors";
import type { RequestHandler } from "express";
import type { IdentityService } from "../service";

export function body(req: { body?: unknown }): Record<string, unknown> {
  return req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
}

export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > 200)
    throw new PlatformError(
      "invalid_input",
      "field_invalid",
      `${field} must be a string of at most 200 characters`,
      {
        details: { field },
      },
    );
  return value;
}

export function tokenResponse(pair: {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
  accountId: string | null;
}) {
  return {
    token_type: "Bearer",
    access_token: pair.accessToken,
    expires_in: pair.expiresIn,
    refresh_token: pair.refreshToken,
    session_id: pair.sessionId,
    account_id: pair.accountId,
  };
}

// The kit's middleware is typed structurally (it does not depend on express); here it is express's.
export const requirePermission = (permission: string) => auth.requirePermission(permission) as RequestHandler;

/**
 * The guards identity's routes share: a verified token (signedIn), and for an organization's own
 * resources the token's own organization only, with no writes into it once tenancy closed it (409).
 */
export function routeGuards(service: IdentityService): {
  signedIn: RequestHandler;
  inAccount: RequestHandler[];
} {
  const signedIn = auth.authenticate(service.verifier) as RequestHandler;
  const requireAccount = (param: string) =>
    auth.requireAccount(param, { closedAccounts: service.closedAccounts }) as RequestHandler;
  return { signedIn, inAccount: [signedIn, requireAccount("accountId")] };
}
