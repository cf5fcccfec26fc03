import type { NextFunction, Request, RequestHandler, Response } from "express";
import { bodyNulError } from "./request-checks";

/**
 * A route called often enough that express's per-request path costs more than its own work (a quota
 * check a backend makes before each unit of work): served by `hotRoutes`, one layer in front of the
 * router, which matches it by a compiled pattern and reads its small JSON body itself, then runs the
 * same handlers the router would. Registered with the router as well, so the route table lists it and
 * any request the layer declines takes the ordinary path with the same handlers.
 */
export interface HotRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Literal segments and whole-segment `:params` only (`/v1/organizations/:accountId/quotas/check`). */
  path: string;
  /** Run before the body is read, as createHttpApp's `gates` (a rate limiter's gate). */
  gates?: RequestHandler[];
  /** Run after the body is read, as the router would: guards, limiter, and last the handler that answers. */
  handlers: RequestHandler[];
}

/**
 * The largest body the hot layer reads itself; a larger one takes the ordinary path, where the app's
 * body reader applies its own limit (and answers 413 past it). Hot routes' bodies are a few fields.
 */
export const HOT_BODY_MAX_BYTES = 16 * 1024;

/** Path segments the layer matches: RFC 3986's unreserved characters. Anything else (`%`, NUL) goes the ordinary way. */
const PLAIN_SEGMENT = "([A-Za-z0-9._~-]+)";
const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

interface CompiledRoute {
  route: HotRoute;
  pattern: RegExp;
  names: string[];
  /** gates, the body's read, handlers: built once, not per request. */
  chain: RequestHandler[];
}

function compile(route: HotRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        names.push(segment.slice(1));
        return PLAIN_SEGMENT;
      }
      if (!/^[A-Za-z0-9._~-]*$/.test(segment))
        throw new Error(`hot route ${route.path}: only literal segments and :params are supported`);
      return segment.replace(/\./g, "\\.");
    })
    .join("/");
  const readBody: RequestHandler = (req, _res, next) =>
    readJsonBody(req, Number(req.headers["content-length"] ?? 0), next);
  const chain = [...(route.gates ?? []), readBody, ...route.handlers];
  return { route, pattern: new RegExp(`^${source}$`), names, chain };
}

/** Shaped like body-parser's errors (status and type), so problemFromError answers exactly as for the ordinary path. */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type, expose: true });
}

/**
 * Whether the layer may read this request's body itself: none, or a plain JSON body of a known small
 * length. Chunked, compressed, other types and larger bodies go the ordinary way, where the body
 * reader's full rules (415, 413, charsets, encodings) apply.
 */
function plainBody(req: Request): boolean {
  const headers = req.headers;
  if (headers["transfer-encoding"] !== undefined || headers["content-encoding"] !== undefined) return false;
  const declared = headers["content-length"];
  if (declared === undefined || declared === "0") return true;
  if (!/^\d{1,6}$/.test(declared) || Number(declared) > HOT_BODY_MAX_BYTES) return false;
  const type = headers["content-type"];
  return type !== undefined && JSON_TYPE.test(type);
}

/** Reads and parses the body as express.json() would (strict: an object or an array at the top), then the NUL check. */
function readJsonBody(req: Request, length: number, done: (error?: unknown) => void): void {
  if (length === 0) {
    done();
    return;
  }
  const chunks: Buffer[] = [];
  let settled = false;
  const settle = (error?: unknown) => {
    if (settled) return;
    settled = true;
    req.off("data", onData);
    req.off("end", onEnd);
    req.off("error", onError);
    req.off("aborted", onAborted);
    done(error);
  };
  const onData = (chunk: Buffer) => chunks.push(chunk);
  const onError = (error: unknown) => settle(error);
  const onAborted = () => settle(bodyError(400, "request.aborted", "request aborted"));
  const onEnd = () => {
    const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8");
    const first = /\S/.exec(text)?.[0];
    let body: unknown;
    try {
      if (first !== "{" && first !== "[") throw new SyntaxError("not an object or an array");
      body = JSON.parse(text);
    } catch {
      settle(bodyError(400, "entity.parse.failed", "request body is not valid JSON"));
      return;
    }
    req.body = body;
    settle(bodyNulError(body));
  };
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", onError);
  req.on("aborted", onAborted);
}

/** Runs express-style handlers in order as the router would: next(error) stops, a rejected promise is an error. */
function runHandlers(handlers: RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  const next = (error?: unknown): void => {
    if (error === "route" || error === "router") {
      done(new Error("hot routes do not support next('route')"));
      return;
    }
    if (error !== undefined && error !== null) {
      done(error);
      return;
    }
    const handler = handlers[index++];
    if (!handler) {
      done();
      return;
    }
    try {
      const result: unknown = handler(req, res, next);
      if (result instanceof Promise)
        result.catch((rejection: unknown) => next(rejection ?? new Error("rejected")));
    } catch (thrown) {
      next(thrown);
    }
  };
  next();
}

/**
 * The layer in front of the router: a request for a hot route, by method and exact path (no query
 * string), with no body or a small plain JSON one, runs its gates, has its body read and checked, and
 * runs its handlers; errors go to the app's error handler like any route's. Every other request goes on
 * untouched. A hot route whose handlers all call next() without answering is a bug: a 500.
 */
export function hotRoutes(routes: HotRoute[]): RequestHandler {
  const byMethod = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    const list = byMethod.get(route.method) ?? [];
    list.push(compile(route));
    byMethod.set(route.method, list);
  }
  return (req, res, next) => {
    const candidates = byMethod.get(req.method);
    if (!candidates) return next();
    const url = req.url;
    let matched: CompiledRoute | undefined;
    let values: RegExpExecArray | null = null;
    for (const candidate of candidates) {
      values = candidate.pattern.exec(url);
      if (values) {
        matched = candidate;
        break;
      }
    }
    if (!matched || !values) return next();
    if (!plainBody(req)) return next();
    const params: Record<string, string> = {};
    matched.names.forEach((name, i) => {
      params[name] = values[i + 1] as string;
    });
    req.params = params;
    const { route } = matched;
    const unanswered = (error?: unknown) =>
      next(error ?? new Error(`hot route ${route.method} ${route.path} ended without answering`));
    runHandlers(matched.chain, req, res, unanswered);
  };
}
