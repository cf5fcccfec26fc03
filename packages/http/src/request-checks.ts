import { InvalidInputError } from "@platform/errors";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { HttpErrorCodes } from "./problem";

/** The media types a request body may have under a path, and the largest body read there. */
export interface BodyRule {
  /** Path prefix the rule applies to (whole segments); the longest matching rule wins. */
  path?: string;
  /** `application/json`, any `application/*+json` (e.g. SCIM's), `application/x-www-form-urlencoded`. */
  types: string[];
  /** In body-parser's notation (`"100kb"`, `"1mb"`) or bytes. */
  limit?: string | number;
}

const FORM = "application/x-www-form-urlencoded";

/** Shaped like body-parser's own errors (status and type), so problemFromError maps it the same way. */
class UnsupportedMediaTypeError extends Error {
  readonly status = 415;
  readonly type = "media.type.unsupported";
  constructor(readonly accepted: string[]) {
    super(`request body must be ${accepted.join(" or ")}`);
  }
}

/** Where the first string holding U+0000 is in a parsed value (keys count too), or undefined. */
export function nulPathOf(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path.join(".") : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulPathOf(item, [...path, String(index)]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes("\u0000")) return [...path, key].join(".");
      const found = nulPathOf(item, [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The 400 `nul_character` for a parsed body holding NUL, or undefined when it holds none. */
export function bodyNulError(body: unknown): InvalidInputError | undefined {
  const field = nulPathOf(body);
  return field === undefined ? undefined : nulError(field ? `body.${field}` : "body");
}

function nulError(field: string): InvalidInputError {
  return new InvalidInputError(HttpErrorCodes.nulCharacter, `${field} contains a NUL character (U+0000)`, {
    details: { field },
  });
}

/**
 * Refuses a request target the routes could not use safely: a malformed percent-escape in the path
 * (the router's own decoding would throw a bare URIError) and NUL anywhere in path or query, which
 * Postgres cannot store in text and would otherwise surface as a 500 from deep in a command.
 */
export function checkRequestTarget(req: Request, _res: Response, next: NextFunction): void {
  const path = req.path;
  // Most paths have no escape at all: nothing to decode, and a NUL could only be there literally.
  if (path.includes("%")) {
    for (const segment of path.split("/")) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw new InvalidInputError(HttpErrorCodes.malformedPath, "the path has a malformed percent-escape", {
          details: { field: "path" },
        });
      }
      if (decoded.includes("\u0000")) throw nulError("path");
    }
  } else if (path.includes("\u0000")) throw nulError("path");
  // express parses req.query anew on each read; without a query string there is nothing to parse.
  if (req.url.includes("?")) {
    const inQuery = nulPathOf(req.query);
    if (inQuery !== undefined) throw nulError(inQuery ? `query.${inQuery}` : "query");
  }
  next();
}

function segmentPrefix(path: string, prefix: string): boolean {
  return prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * One place that reads request bodies: by the rule for the request's path, a body of an accepted
 * type is parsed, any other type answers 415, and a parsed body holding NUL answers 400. Bodies
 * parsed deeper in a route would escape those checks, so services declare rules instead.
 */
export function bodyReader(rules: BodyRule[]): RequestHandler {
  const compiled = rules
    .map((rule) => {
      const path = (rule.path ?? "").replace(/\/+$/, "");
      const json = rule.types.filter((type) => type !== FORM);
      const parsers: RequestHandler[] = [];
      if (json.length > 0) parsers.push(express.json({ type: json, limit: rule.limit }));
      if (rule.types.includes(FORM))
        parsers.push(express.urlencoded({ type: FORM, extended: false, limit: rule.limit }));
      return { path, types: rule.types, parsers };
    })
    .sort((a, b) => b.path.length - a.path.length);

  return (req, res, next) => {
    const rule = compiled.find((candidate) => segmentPrefix(req.path, candidate.path));
    // A POST without a body still sends `content-length: 0`; only a body with content has a type.
    const hasBody =
      req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    if (!rule || !hasBody) return next();
    if (!req.is(rule.types)) return next(new UnsupportedMediaTypeError(rule.types));
    const run = (index: number): void => {
      const parser = rule.parsers[index];
      if (!parser) {
        next(bodyNulError(req.body));
        return;
      }
      parser(req, res, (error?: unknown) => (error ? next(error) : run(index + 1)));
    };
    run(0);
  };
}
