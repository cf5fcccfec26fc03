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
import { type IdempotencyKeys, idempotent } from "./idempotency";

export interface RouteGuards {
  /** A verified access token (401 otherwise). */
  signedIn: RequestHandler;
  /**
   * For routes under /v1/organizations/{accountId}: signed in, the token's own organization (403
   * `account_mismatch`), no writes into a closed one (409 `organization_closed`), and the permission
   * (403 `permission_denied`). When the service keeps idempotency keys, a POST then honours
   * `Idempotency-Key` in that organization (src/idempotency.ts), so no write route can miss it.
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
  /** The service's idempotency keys (its `platform_idempotency_keys`), if its POSTs take them. */
  idempotency?: IdempotencyKeys;
}): RouteGuards {
  // The auth kit's middleware is typed structurally (it does not depend on express); here it is express's.
  const signedIn = authenticate(service.access.verifier) as RequestHandler;
  const inOwnAccount = requireAccount("accountId", {
    closedAccounts: service.closedAccounts,
  }) as RequestHandler;
  // After the guards: a replay goes only to a caller who may make the request.
  const keys = service.idempotency;
  const replays = keys ? [idempotent(keys, (req) => param(req, "accountId"))] : [];
  const inAccount = (permission: string): RequestHandler[] => [
    signedIn,
    inOwnAccount,
    requirePermission(permission) as RequestHandler,
    ...replays,
  ];
  return { signedIn, inAccount };
}

/** Who acts in a guarded request: the signed-in principal, with the request's address and user agent. */
export const who = (req: Request, res: Response): RequestActor => actorOf(req, principalOf(res) as Principal);

/** A route parameter as a string (express types them loosely). */
export const param = (req: Request, name: string): string => String(req.params[name]);
