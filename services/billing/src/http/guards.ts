import * as auth from "@platform/auth";
import { type Principal, principalOf } from "@platform/auth";
import { actorOf, type RequestActor } from "@platform/http";
import type { Request, RequestHandler, Response } from "express";
import type { BillingService } from "../service";

/** billing's permissions (held by the default roles: owner `*`, billing_manager `billing.*`, admin `billing.read`). */
export const BILLING_READ = "billing.read";
export const BILLING_MANAGE = "billing.manage";

/**
 * The guards every billing route is built from, made once: a signed-in caller, and for routes under
 * /v1/organizations/{accountId} the token's own organization (403 `account_mismatch`), no writes into a
 * closed one (409 `organization_closed`), and the permission (403 `permission_denied`).
 */
export function routeGuards(service: BillingService): {
  signedIn: RequestHandler;
  inAccount: (permission: string) => RequestHandler[];
} {
  const signedIn = auth.authenticate(service.verifier) as RequestHandler;
  const requireAccount = auth.requireAccount("accountId", {
    closedAccounts: service.closedAccounts,
  }) as RequestHandler;
  const inAccount = (permission: string): RequestHandler[] => [
    signedIn,
    requireAccount,
    auth.requirePermission(permission) as RequestHandler,
  ];
  return { signedIn, inAccount };
}

export const who = (req: Request, res: Response): RequestActor => actorOf(req, principalOf(res) as Principal);
export const param = (req: Request, name: string) => String(req.params[name]);
