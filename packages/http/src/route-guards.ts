import {
  authenticate,
  type ClosedAccounts,
  type Principal,
  principalOf,
  requireAccount,
  requirePermission,
  type TokenVerifier,
} from "@platform/auth";
import type { Request, RequestHandler, Response } from "express";
import { actorOf, type RequestActor } from "./app";

export interface RouteGuards {
  /** A verified access token (401 otherwise). */
  signedIn: RequestHandler;
  /**
   * For routes under /v1/organizations/{accountId}: signed in, the token's own organization (403
   * `account_mismatch`), no writes into a closed one (409 `organization_closed`), and the permission
   * (403 `permission_denied`).
   */
  inAccount: (permission: string) => RequestHandler[];
}

/**
 * The guards a service's organization routes are built from, made once from its token verifier (the
 * auth kit's `createAccessControl`) and what it knows of closed organizations.
 */
export function routeGuards(service: {
  access: { verifier: TokenVerifier };
  closedAccounts: ClosedAccounts;
}): RouteGuards {
  // The auth kit's middleware is typed structurally (it does not depend on express); here it is express's.
  const signedIn = authenticate(service.access.verifier) as RequestHandler;
  const inOwnAccount = requireAccount("accountId", {
    closedAccounts: service.closedAccounts,
  }) as RequestHandler;
  const inAccount = (permission: string): RequestHandler[] => [
    signedIn,
    inOwnAccount,
    requirePermission(permission) as RequestHandler,
  ];
  return { signedIn, inAccount };
}

/** Who acts in a guarded request: the signed-in principal, with the request's address and user agent. */
export const who = (req: Request, res: Response): RequestActor => actorOf(req, principalOf(res) as Principal);

/** A route parameter as a string (express types them loosely). */
export const param = (req: Request, name: string): string => String(req.params[name]);
