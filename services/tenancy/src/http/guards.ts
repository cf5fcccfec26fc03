import * as auth from "@platform/auth";
import { type Principal, principalOf } from "@platform/auth";
import { actorOf, type RequestActor } from "@platform/http";
import type { Request, RequestHandler, Response } from "express";
import type { TenancyService } from "../service";

/**
 * The guards every tenancy route is built from, made once: a signed-in caller, and for routes under
 * /v1/organizations/{accountId} the token's own organization (403 `account_mismatch`), no writes into
 * a closed one (409 `organization_closed`), and the permission (403 `permission_denied`).
 */
export function routeGuards(service: TenancyService): {
  signedIn: RequestHandler;
  inAccount: (permission: string) => RequestHandler[];
} {
  // The kit's middleware is typed structurally (it does not depend on express); here it is express's.
  const signedIn = auth.authenticate(service.verifier) as RequestHandler;
  const requireAccount = auth.requireAccount("accountId", {
    closedAccounts: service.organizations,
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
