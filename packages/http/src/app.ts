import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Logger } from "@platform/observability";
import express, { type Express, type NextFunction, type Request, type Response, type Router } from "express";
import { pinoHttp } from "pino-http";
import { HttpErrorCodes, problem, problemFromError, sendProblem } from "./problem";
import { type ReadinessCheck, readinessHandler } from "./readiness";
import { recordRouteTable } from "./route-table";

export interface HttpAppOptions {
  logger: Logger;
  /** Largest JSON body accepted, in body-parser's notation (`"100kb"`, `"1mb"`) or bytes. */
  bodyLimit?: string | number;
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
}

export const REQUEST_ID_HEADER = "X-Request-Id";
/** An incoming id is kept only if it is a short token: it lands in logs and response headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@=+-]{1,128}$/;
const PROBES = new Set(["/healthz", "/readyz"]);

function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER.toLowerCase()];
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The request's id: the sane `X-Request-Id` it came with, else a generated UUID. */
export function requestIdOf(req: Request): string {
  return String(req.id);
}

/**
 * An express app with the platform's conventions: request ids (kept from `X-Request-Id` when sane,
 * else a UUID; echoed in the response), one pino-http log line per request carrying `request_id` and
 * the trace ids, a JSON body parser with a size limit, `/healthz` and `/readyz`, the caller's routes,
 * then 404 and error handlers answering RFC 9457 problem+json with stable codes.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");

  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const id = requestIdFor(req);
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      quietReqLogger: true,
      customAttributeKeys: { reqId: "request_id", responseTime: "duration_ms" },
      autoLogging: { ignore: (req) => PROBES.has(req.url ?? "") },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info",
    }),
  );

  app.get("/healthz", (_req, res) => {
    res.status(200).json({ status: "ok" });
  });
  app.get("/readyz", readinessHandler(options.readiness ?? [], options.readinessTimeoutMs ?? 2_000));

  app.use(express.json({ limit: options.bodyLimit ?? "100kb" }));

  const router = express.Router();
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
    // pino-http logs the request line with `err` (message and stack) when res.err is set.
    if (!expected) res.err = error instanceof Error ? error : new Error(String(error));
    sendProblem(res, body);
  });

  return app;
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
