import { STATUS_CODES } from "node:http";
import { httpStatusOf, PlatformError } from "@platform/errors";
import type { Response } from "express";

/** Error codes this package answers with; public API like every error code (STYLE.md §7). */
export const HttpErrorCodes = {
  routeNotFound: "route_not_found",
  payloadTooLarge: "payload_too_large",
  malformedJson: "malformed_json",
  unsupportedEncoding: "unsupported_content_encoding",
  unsupportedCharset: "unsupported_charset",
  requestAborted: "request_aborted",
  badRequest: "bad_request",
  unsupportedMediaType: "unsupported_media_type",
  malformedPath: "malformed_path",
  nulCharacter: "nul_character",
  invalidRequestBody: "invalid_request_body",
  invalidBatch: "invalid_batch",
  batchTooLarge: "batch_too_large",
  notReady: "not_ready",
  internalError: "internal_error",
} as const;

export const PROBLEM_TYPE_BASE = "https://errors.saas-platform.dev/";

/** An RFC 9457 problem details body, plus the platform's stable `code` and any safe details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  /** The request id, also sent as `X-Request-Id`: the key to this request's log lines. */
  instance: string;
  [extension: string]: unknown;
}

const RESERVED = new Set(["type", "title", "status", "detail", "code", "instance"]);

export function problem(
  status: number,
  code: string,
  detail: string,
  requestId: string,
  details: Record<string, unknown> = {},
): Problem {
  const body: Problem = {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: STATUS_CODES[status] ?? "Error",
    status,
    detail,
    code,
    instance: requestId,
  };
  for (const [key, value] of Object.entries(details)) if (!RESERVED.has(key)) body[key] = value;
  return body;
}

/**
 * Sets the headers a problem implies: `Retry-After` (RFC 9110 §10.2.3) when it says when to come
 * back, so clients and proxies need not parse the body for it.
 */
export function setProblemHeaders(res: Response, body: Problem): void {
  const retryAfter = body.retryAfterSeconds;
  if (typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0)
    res.set("Retry-After", String(Math.ceil(retryAfter)));
}

export function sendProblem(res: Response, body: Problem): void {
  setProblemHeaders(res, body);
  res.status(body.status).type("application/problem+json").send(JSON.stringify(body));
}

/** body-parser's failures (http-errors with a `type`) mapped to stable codes. */
const BODY_PARSER_ERRORS: Record<string, { code: string; detail: (error: BodyParserError) => string }> = {
  "entity.too.large": {
    code: HttpErrorCodes.payloadTooLarge,
    detail: (error) =>
      typeof error.limit === "number"
        ? `request body exceeds the limit of ${error.limit} bytes`
        : "request body is too large",
  },
  "entity.parse.failed": {
    code: HttpErrorCodes.malformedJson,
    detail: () => "request body is not valid JSON",
  },
  "encoding.unsupported": {
    code: HttpErrorCodes.unsupportedEncoding,
    detail: () => "request body has an unsupported Content-Encoding",
  },
  "charset.unsupported": {
    code: HttpErrorCodes.unsupportedCharset,
    detail: () => "request body has an unsupported charset",
  },
  "request.aborted": {
    code: HttpErrorCodes.requestAborted,
    detail: () => "request was aborted by the client",
  },
};

interface BodyParserError {
  type?: string;
  status: number;
  message: string;
  limit?: unknown;
}

/** An http-errors style client error (body-parser's, the router's, ours): a 4xx `status`. */
function asBodyParserError(error: unknown): BodyParserError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status } = error as { status?: unknown };
  if (typeof status !== "number" || status < 400 || status > 499) return undefined;
  return error as BodyParserError;
}

/**
 * The one mapping from a thrown value to the answer (STYLE.md §8): a PlatformError by its kind
 * (`httpStatusOf`), body-parser's errors by their type, anything else a 500 `internal_error` whose
 * message stays in the logs. `expected` is false when the error is a fault of ours, to be logged in full.
 */
export function problemFromError(error: unknown, requestId: string): { body: Problem; expected: boolean } {
  if (error instanceof PlatformError) {
    const status = httpStatusOf(error);
    if (error.kind === "internal") {
      return {
        body: problem(status, error.code, "An unexpected error occurred.", requestId),
        expected: false,
      };
    }
    return {
      body: problem(status, error.code, error.message, requestId, error.details),
      expected: status < 500,
    };
  }
  const parserError = asBodyParserError(error);
  if (parserError?.type === "media.type.unsupported") {
    const { accepted } = error as { accepted?: unknown };
    return {
      body: problem(415, HttpErrorCodes.unsupportedMediaType, parserError.message, requestId, { accepted }),
      expected: true,
    };
  }
  if (parserError) {
    const known = parserError.type ? BODY_PARSER_ERRORS[parserError.type] : undefined;
    const body = known
      ? problem(parserError.status, known.code, known.detail(parserError), requestId)
      : problem(parserError.status, HttpErrorCodes.badRequest, "the request could not be read", requestId);
    return { body, expected: true };
  }
  return {
    body: problem(500, HttpErrorCodes.internalError, "An unexpected error occurred.", requestId),
    expected: false,
  };
}
