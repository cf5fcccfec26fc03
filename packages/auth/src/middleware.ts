import { PlatformError } from "@platform/errors";
import { accountClosedError, type ClosedAccounts, isWriteMethod } from "./closed-accounts";
import { AuthErrorCodes } from "./codes";
import { assertConcretePermission } from "./permissions";
import { assertAccount, assertPermitted, type Principal } from "./principal";
import type { TokenVerifier } from "./verifier";

/*
 * The slice of express these middlewares touch, written structurally: express's Request, Response and
 * NextFunction satisfy them, and this package needs no express (runtime or types) to build or test.
 */
export interface AuthRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | string[] | undefined>;
}

export interface AuthResponse {
  locals: Record<string, unknown>;
}

export type AuthNext = (error?: unknown) => void;

export type AuthMiddleware = (req: AuthRequest, res: AuthResponse, next: AuthNext) => void;

const PRINCIPAL = "principal";
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Verifies `Authorization: Bearer <token>` and sets `res.locals.principal`. Failures go to next(error),
 * where the http kit answers 401 problem+json with the stable code.
 */
export function authenticate(verifier: TokenVerifier): AuthMiddleware {
  return (req, res, next) => {
    let token: string;
    try {
      token = bearerToken(req);
    } catch (error) {
      next(error);
      return;
    }
    verifier.verify(token).then(
      (principal) => {
        res.locals[PRINCIPAL] = principal;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * The principal of the request's bearer token if the verifier has already verified that token and it
 * still holds (not expired, key in the ring, not revoked); undefined otherwise, never an error. For a
 * cheap decision before `authenticate` (refusing a flooding tenant before its body is read), which still runs.
 */
export function knownPrincipal(verifier: TokenVerifier, req: AuthRequest): Principal | undefined {
  const header = req.headers.authorization;
  const token = typeof header === "string" ? BEARER.exec(header)?.[1] : undefined;
  return token ? verifier.known(token) : undefined;
}

/** Route guard: 403 `permission_denied` unless the principal holds `required`. */
export function requirePermission(required: string): AuthMiddleware {
  // A typo in a route's permission should stop the service at start-up, not deny every request.
  assertConcretePermission(required);
  return (_req, res, next) => {
    try {
      assertPermitted(principalOf(res), required);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Route guard for `/accounts/:accountId/...`: a token acts in one account at a time, so a principal may
 * not reach another account's resources even where it holds the permission there. Mount it on the route
 * (express fills `req.params` only for the route's own path).
 *
 * With `closedAccounts`, a write (POST, PUT, PATCH, DELETE) to a closed account answers 409
 * `organization_closed`. It is checked here, after the token and the account, so only the account's
 * own principals learn that it is closed; and here because every account route mounts this guard, so
 * a service that passes `closedAccounts` where it builds its guards covers every route it has.
 */
export function requireAccount(
  paramName = "accountId",
  options: { closedAccounts?: ClosedAccounts } = {},
): AuthMiddleware {
  const { closedAccounts } = options;
  return (req, res, next) => {
    let accountId: string;
    try {
      const param = req.params?.[paramName];
      if (typeof param !== "string" || param === "") {
        throw new PlatformError(
          "internal",
          AuthErrorCodes.routeParamMissing,
          `requireAccount("${paramName}") is mounted on a route without :${paramName}`,
        );
      }
      accountId = param;
      assertAccount(principalOf(res), accountId);
    } catch (error) {
      next(error);
      return;
    }
    if (!closedAccounts || !isWriteMethod(req.method)) {
      next();
      return;
    }
    closedAccounts.isClosed(accountId).then(
      (closed) => next(closed ? accountClosedError(accountId) : undefined),
      (error: unknown) => next(error),
    );
  };
}

/** The authenticated principal; throws (500) when `authenticate` did not run first, which is a wiring bug. */
export function principalOf(res: AuthResponse): Principal {
  const principal = res.locals[PRINCIPAL];
  if (principal === undefined || principal === null) {
    throw new PlatformError(
      "internal",
      AuthErrorCodes.principalMissing,
      "no principal on the response; mount authenticate() before this handler",
    );
  }
  return principal as Principal;
}

function bearerToken(req: AuthRequest): string {
  const header = req.headers.authorization;
  if (header === undefined || header === "") {
    throw new PlatformError("unauthenticated", AuthErrorCodes.tokenMissing, "no Authorization header");
  }
  const match = typeof header === "string" ? BEARER.exec(header) : null;
  if (!match?.[1]) {
    throw new PlatformError(
      "unauthenticated",
      AuthErrorCodes.tokenMalformed,
      "the Authorization header is not `Bearer <token>`",
    );
  }
  return match[1];
}
