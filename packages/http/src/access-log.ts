import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@platform/observability";
import type { Express, Request, RequestHandler } from "express";
// Type only: the `req.log`/`res.log`/`req.id` fields routes use keep pino-http's declarations.
import type {} from "pino-http";
import { serializeRequest, serializeResponse } from "./log-serializers";

export const REQUEST_ID_HEADER = "X-Request-Id";
/** An incoming id is kept only if it is a short token: it lands in logs and response headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@=+-]{1,128}$/;
const PROBES = new Set(["/healthz", "/readyz"]);

/** Which requests' access lines are demoted, and when a demoted request is logged anyway. */
export interface AccessLogOptions {
  /**
   * High-volume routes (a quota check a backend makes before each unit of work): their successful
   * (< 400) answers are logged at `debug` instead of `info`. 4xx (warn), 5xx and thrown errors
   * (error) and slow answers (`slowMs`, info) are logged as always.
   */
  quiet?: (req: Request) => boolean;
  /** A quiet request that took at least this long is logged at info all the same; 500 ms when not given. */
  slowMs?: number;
}

const STARTED = Symbol("accessLog.started");
const QUIET = Symbol("accessLog.quiet");
const CHILD = Symbol("accessLog.child");

type Timed = ServerResponse & { [STARTED]?: number; [QUIET]?: boolean; err?: Error; req: IncomingMessage };

function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER.toLowerCase()];
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Request ids and one access line per request (`request completed` / `request errored`), the fields
 * pino-http wrote (`request_id`, `req`, `res`, `err`, `duration_ms`), without its per-request cost:
 * pino-http made two child loggers per request and serialized (and redacted) the request into one of
 * them before the route ran, which at a thousand requests a second was a tenth of the service's CPU.
 * Here `req.log`/`res.log` are made on first use (few routes log), the line is built only when its
 * level is enabled, and the response's listener is one shared function, not a closure per request.
 */
export function accessLog(app: Express, logger: Logger, options: AccessLogOptions = {}): RequestHandler {
  const slowMs = options.slowMs ?? 500;
  const quiet = options.quiet;
  const childOf = (holder: Record<symbol, Logger | undefined>, id: unknown): Logger => {
    let child = holder[CHILD];
    if (!child) {
      child = logger.child({ request_id: id });
      holder[CHILD] = child;
    }
    return child;
  };
  // On express's per-app prototypes, so every request and response has them without a definition each.
  Object.defineProperty(app.request, "log", {
    configurable: true,
    get(this: Request) {
      return childOf(this as unknown as Record<symbol, Logger>, this.id);
    },
    set(this: Request, value: Logger) {
      (this as unknown as Record<symbol, Logger>)[CHILD] = value;
    },
  });
  Object.defineProperty(app.response, "log", {
    configurable: true,
    get(this: Timed) {
      return childOf(this.req as unknown as Record<symbol, Logger>, this.req.id);
    },
    set(this: Timed, value: Logger) {
      (this.req as unknown as Record<symbol, Logger>)[CHILD] = value;
    },
  });

  function logLine(this: Timed): void {
    const req = this.req;
    const failed = this.err !== undefined || this.statusCode >= 500;
    const duration = Date.now() - (this[STARTED] ?? 0);
    const level = failed
      ? "error"
      : this.statusCode >= 400
        ? "warn"
        : this[QUIET] && duration < slowMs
          ? "debug"
          : "info";
    if (!logger.isLevelEnabled(level)) return;
    const line: Record<string, unknown> = {
      request_id: req.id,
      req: serializeRequest({
        id: req.id,
        method: req.method,
        url: (req as Request).originalUrl ?? req.url,
        headers: req.headers,
        remoteAddress: req.socket?.remoteAddress,
        remotePort: req.socket?.remotePort,
      }),
      res: serializeResponse({ statusCode: this.statusCode, headers: this.getHeaders() }),
      duration_ms: duration,
    };
    if (failed) {
      line.err = this.err ?? new Error(`failed with status code ${this.statusCode}`);
      logger[level](line, "request errored");
    } else logger[level](line, "request completed");
  }

  return (req, res, next) => {
    const id = requestIdFor(req);
    req.id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    if (!PROBES.has(req.url)) {
      const timed = res as Timed;
      timed[STARTED] = Date.now();
      if (quiet?.(req)) timed[QUIET] = true;
      // "close" comes once per response, sent or abandoned by the client.
      res.once("close", logLine);
    }
    next();
  };
}
