import { createHash } from "node:crypto";
import type { Logger } from "@platform/observability";
import express, { type Express, type NextFunction, type Request, type Response, type Router } from "express";
import { type AccessLogOptions, accessLog } from "./access-log";
import { type HotRoute, hotRoutes } from "./hot-routes";
import {
  HttpErrorCodes,
  type Problem,
  problem,
  problemFromError,
  sendProblem,
  setProblemHeaders,
} from "./problem";
import { type ReadinessCheck, readinessHandler } from "./readiness";
import { type BodyRule, bodyReader, checkRequestTarget } from "./request-checks";
import { recordRouteTable } from "./route-table";

export interface HttpAppOptions {
  logger: Logger;
  /** Largest JSON body accepted, in body-parser's notation (`"100kb"`, `"1mb"`) or bytes. */
  bodyLimit?: string | number;
  /**
   * Bodies read under a path other than JSON within `bodyLimit` (SCIM's media type, an IdP's form
   * post). Everywhere else a body must be `application/json`; any other type answers 415.
   */
  bodies?: BodyRule[];
  /**
   * Error formats other than problem+json, by path prefix, for clients that parse their protocol's
   * own (SCIM, RFC 7644 §3.12). Used for failures before the service's routes run: 404s and errors
   * inside a route are the route's to format.
   */
  problemFormats?: ProblemFormat[];
  /** What `/readyz` checks: every dependency the service needs to serve. */
  readiness?: ReadinessCheck[];
  /** Longest each readiness check may take before it counts as failing. */
  readinessTimeoutMs?: number;
  /**
   * Adds the service's routes. Runs after request ids, logging, body parsing and the probes are in
   * place, and before the 404 and error handlers, so that order cannot be got wrong. Handlers may be
   * async: a rejection reaches the error handler (express 5).
   */
  routes: (router: Router) => void;
  /**
   * Cheap refusals mounted before the body is read (after request ids, logging and the path checks):
   * a rate limiter's `gate`, say, so that a tenant already refused costs no body parsing and no route.
   * Handlers must call next() for whatever they do not refuse.
   */
  gates?: (router: Router) => void;
  /**
   * Routes called so often that express's router and body parser cost more than their own work
   * (hot-routes.ts): matched and their small JSON bodies read by one layer in front of the router,
   * then the same gates and handlers. Also registered with the router (before `routes`), so the route
   * table lists them and a request the layer declines takes the ordinary path.
   */
  hotRoutes?: HotRoute[];
  /**
   * High-volume routes whose successful answers are logged at debug rather than info (errors, 4xx and
   * slow answers as always): see access-log.ts.
   */
  accessLog?: AccessLogOptions;
}

export interface ProblemFormat {
  path: string;
  send(res: Response, problem: Problem): void;
}

export { REQUEST_ID_HEADER } from "./access-log";

/** The request's id: the sane `X-Request-Id` it came with, else a generated UUID. */
export function requestIdOf(req: Request): string {
  return String(req.id);
}

/**
 * An express app with the platform's conventions: request ids (kept from `X-Request-Id` when sane,
 * else a UUID; echoed in the response), one access log line per request carrying `request_id` and
 * the trace ids (query values redacted), `/healthz` and `/readyz`, a refusal of malformed paths and of
 * NUL in path, query or body (400), one body reader (JSON unless `bodies` says otherwise; 415 for
 * any other type), the caller's routes, then 404 and error handlers answering RFC 9457
 * problem+json with stable codes (`Retry-After` when the problem carries `retryAfterSeconds`).
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  getOnlyETags(app);

  app.use(accessLog(app, options.logger, options.accessLog));
  const hot = options.hotRoutes ?? [];
  if (hot.length > 0) app.use(hotRoutes(hot));

  app.get("/healthz", (_req, res) => {
    res.status(200).json({ status: "ok" });
  });
  app.get("/readyz", readinessHandler(options.readiness ?? [], options.readinessTimeoutMs ?? 2_000));

  app.use(checkRequestTarget);
  const hotGates = hot.filter((route) => route.gates?.length);
  if (options.gates || hotGates.length > 0) {
    const gates = express.Router();
    for (const route of hotGates) gates[verb(route)](route.path, ...(route.gates ?? []));
    options.gates?.(gates);
    app.use(gates);
  }
  app.use(
    bodyReader([
      { types: ["application/json"], limit: options.bodyLimit ?? "100kb" },
      ...(options.bodies ?? []),
    ]),
  );

  const router = express.Router();
  for (const route of hot) router[verb(route)](route.path, ...route.handlers);
  options.routes(router);
  recordRouteTable(app, router);
  app.use(router);

  app.use((req: Request, res: Response) => {
    sendProblem(
      res,
      problem(404, HttpErrorCodes.routeNotFound, `no route for ${req.method} ${req.path}`, requestIdOf(req)),
    );
  });

  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { body, expected } = problemFromError(error, requestIdOf(req));
    // The access line logs the request with `err` (message and stack) when res.err is set.
    if (!expected) res.err = error instanceof Error ? error : new Error(String(error));
    const format = options.problemFormats?.find(
      (candidate) => req.path === candidate.path || req.path.startsWith(`${candidate.path}/`),
    );
    if (!format) return sendProblem(res, body);
    setProblemHeaders(res, body);
    format.send(res, body);
  });

  return app;
}

const verb = (route: HotRoute) => route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";

/**
 * Express hashes every answer's body into a weak ETag, POSTs' too, where it means nothing (no
 * conditional request follows a POST) and costs a SHA-1, a Buffer copy of the body and a second
 * socket write per answer. Here GET and HEAD answers keep express's ETag (the same value: `W/"`
 * length in hex, `-`, the SHA-1's first 27 base64 characters), and other methods go without.
 */
function getOnlyETags(app: Express): void {
  app.set("etag", false);
  const send = app.response.send;
  app.response.send = function sendWithETag(this: Response, body?: unknown) {
    const method = this.req.method;
    if (
      (method === "GET" || method === "HEAD") &&
      (typeof body === "string" || Buffer.isBuffer(body)) &&
      this.get("ETag") === undefined
    )
      this.set("ETag", weakETag(body));
    return send.call(this, body);
  } as Response["send"];
}

function weakETag(body: string | Buffer): string {
  if (body.length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  const hash = createHash("sha1").update(body).digest("base64").substring(0, 27);
  const length = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.length;
  return `W/"${length.toString(16)}-${hash}"`;
}

/** The `actor` every domain event records: who (a verified principal, if any) and from where. */
export interface RequestActor {
  type: string;
  id: string | null;
  ip_address: string | null;
  user_agent: string | null;
}

export function actorOf(req: Request, principal?: { kind: string; subject: string } | null): RequestActor {
  return {
    type: principal?.kind ?? "user",
    id: principal?.subject ?? null,
    ip_address: req.ip ?? null,
    user_agent: req.get("user-agent")?.slice(0, 512) ?? null,
  };
}
