import { createHash, randomUUID } from "node:crypto";
import {
  ALL_ROWS,
  type CrossTenantTable,
  enterTenant,
  inTenant,
  lookupAcrossTenants,
  type TenantDatabase,
  type TenantSqlClient,
} from "@platform/database";
import { ConflictError, InvalidInputError } from "@platform/errors";
import type { Request, RequestHandler, Response } from "express";

/**
 * Idempotency keys for POSTs, as Stripe has them (docs/billing.md, "Idempotency"): a client sends
 * `Idempotency-Key` and may retry the same request as often as it likes; it runs once, and every retry
 * gets the first answer again with `Idempotent-Replayed: true`. The key is optional (as at Stripe):
 * a POST without one simply runs.
 *
 * - scoped to the organization (the `:accountId` of the route): two organizations' keys never meet;
 * - the same key with another request (method, path or canonical body) → 409 `idempotency_key_reused`;
 * - while the first request runs, the same key → 409 `idempotency_key_in_use` with `Retry-After`
 *   (Stripe's behaviour: the second request neither waits nor runs);
 * - answers the client is told to retry are not kept, so a retry runs again: 5xx, 429 and 409
 *   `concurrency_conflict`; every other 2xx/3xx/4xx is kept and replayed;
 * - kept for `ttlMs` (24 h by default) from the first request, then the key is free again and
 *   `prune()` deletes it.
 *
 * The answer is stored after the command committed, in a transaction of its own: a process that dies
 * between the two leaves the key locked until `lockMs` has passed, after which a retry runs the
 * request again (as a retry without a key would). Only answers sent whole (res.json / res.send) are
 * kept; a streamed answer releases the key. Answers are stored as sent: a route whose answer carries
 * a secret (a new API key) must not take idempotency keys, or must keep it out of the stored copy.
 */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export const IdempotencyCodes = {
  invalidKey: "idempotency_key_invalid",
  reused: "idempotency_key_reused",
  inUse: "idempotency_key_in_use",
} as const;

/** The kit's table (prisma/idempotency.prisma), declared cross-tenant for the pruner's one read. */
export const IDEMPOTENCY_KEYS_TABLE: CrossTenantTable = {
  table: "platform_idempotency_keys",
  lookupBy: null,
  reason:
    "the pruner lists which organizations hold expired idempotency keys in one indexed query on " +
    "expires_at, then deletes each organization's in its own tenant scope",
};

/** Headers of the first answer that a replay repeats (the rest describe the transfer, not the answer). */
const REPLAYED_HEADERS = ["content-type", "location"];

export interface IdempotencyOptions {
  /** The service's clock: keys expire by it, so a test moves time instead of waiting a day. */
  clock?: { now(): Date };
  /** How long a key and its answer are kept; at least 24 h (the floor). */
  ttlMs?: number;
  /** How long a running request holds its key before a retry may take it over (the holder is presumed dead). */
  lockMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

type Begun =
  | { kind: "acquired"; requestId: string }
  | { kind: "reused" }
  | { kind: "in_use" }
  | { kind: "replay"; status: number; headers: Record<string, string>; body: string };

interface KeyRow {
  fingerprint: string;
  response_status: number | null;
  response_headers: Record<string, string> | string | null;
  response_body: string | null;
}

/** The Postgres side: one row per (organization, key) in `platform_idempotency_keys`. */
export class IdempotencyKeys {
  private readonly clock: { now(): Date };
  readonly ttlMs: number;
  readonly lockMs: number;

  constructor(
    private readonly db: TenantDatabase<TenantSqlClient>,
    options: IdempotencyOptions = {},
  ) {
    this.clock = options.clock ?? { now: () => new Date() };
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.lockMs = options.lockMs ?? 60_000;
    if (this.ttlMs < DAY_MS) throw new Error("idempotency keys are kept at least 24 hours");
  }

  /**
   * Takes the key for this request, or says why not. One statement decides: the insert wins a free
   * key, or takes over one that expired or whose holder's lock ran out (same request only); of two
   * concurrent requests the second waits on the first's row and then sees it held.
   */
  async begin(
    accountId: string,
    key: string,
    request: { fingerprint: string; method: string; path: string },
  ) {
    const now = this.clock.now();
    const requestId = randomUUID();
    return inTenant(this.db, accountId, async (tx): Promise<Begun> => {
      const taken = await tx.$queryRawUnsafe<unknown[]>(
        `INSERT INTO platform_idempotency_keys AS k
           (account_id, key, request_id, fingerprint, method, path, created_at, locked_until, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamptz)
         ON CONFLICT (account_id, key) DO UPDATE SET
           request_id = EXCLUDED.request_id, fingerprint = EXCLUDED.fingerprint, method = EXCLUDED.method,
           path = EXCLUDED.path, response_status = NULL, response_headers = NULL, response_body = NULL,
           created_at = EXCLUDED.created_at, locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at
         WHERE k.expires_at <= EXCLUDED.created_at
            OR (k.response_status IS NULL AND k.locked_until <= EXCLUDED.created_at
                AND k.fingerprint = EXCLUDED.fingerprint)
         RETURNING 1`,
        accountId,
        key,
        requestId,
        request.fingerprint,
        request.method,
        request.path,
        now.toISOString(),
        new Date(now.getTime() + this.lockMs).toISOString(),
        new Date(now.getTime() + this.ttlMs).toISOString(),
      );
      if (taken.length > 0) return { kind: "acquired", requestId };
      const [row] = await tx.$queryRawUnsafe<KeyRow[]>(
        `SELECT fingerprint, response_status, response_headers, response_body
           FROM platform_idempotency_keys WHERE account_id = $1 AND key = $2`,
        accountId,
        key,
      );
      if (!row) throw new Error("idempotency key neither taken nor found"); // the insert's conflict row is visible
      if (row.fingerprint !== request.fingerprint) return { kind: "reused" };
      if (row.response_status === null) return { kind: "in_use" };
      const headers =
        typeof row.response_headers === "string" ? JSON.parse(row.response_headers) : row.response_headers;
      return {
        kind: "replay",
        status: row.response_status,
        headers: headers ?? {},
        body: row.response_body ?? "",
      };
    });
  }

  /** Keeps the first answer for replays (only while this request still holds the key). */
  async complete(
    accountId: string,
    key: string,
    requestId: string,
    answer: { status: number; headers: Record<string, string>; body: string },
  ): Promise<void> {
    await inTenant(this.db, accountId, (tx) =>
      tx.$queryRawUnsafe(
        `UPDATE platform_idempotency_keys
            SET response_status = $4, response_headers = $5::jsonb, response_body = $6, locked_until = NULL
          WHERE account_id = $1 AND key = $2 AND request_id = $3`,
        accountId,
        key,
        requestId,
        answer.status,
        JSON.stringify(answer.headers),
        answer.body,
      ),
    );
  }

  /** Frees the key: the request may be retried with it (a 5xx, a retriable conflict, a streamed answer). */
  async release(accountId: string, key: string, requestId: string): Promise<void> {
    await inTenant(this.db, accountId, (tx) =>
      tx.$queryRawUnsafe(
        "DELETE FROM platform_idempotency_keys WHERE account_id = $1 AND key = $2 AND request_id = $3",
        accountId,
        key,
        requestId,
      ),
    );
  }

  /** Deletes every expired key (of every organization); returns how many. */
  async prune(): Promise<number> {
    const now = this.clock.now().toISOString();
    return this.db.$transaction(async (tx) => {
      const accounts = await lookupAcrossTenants(tx, IDEMPOTENCY_KEYS_TABLE, ALL_ROWS, (lookup) =>
        lookup.$queryRawUnsafe<{ account_id: string }[]>(
          "SELECT DISTINCT account_id FROM platform_idempotency_keys WHERE expires_at <= $1::timestamptz",
          now,
        ),
      );
      let pruned = 0;
      for (const { account_id: accountId } of accounts) {
        await enterTenant(tx, accountId);
        const deleted = await tx.$queryRawUnsafe<unknown[]>(
          "DELETE FROM platform_idempotency_keys WHERE account_id = $1 AND expires_at <= $2::timestamptz RETURNING 1",
          accountId,
          now,
        );
        pruned += deleted.length;
      }
      return pruned;
    });
  }
}

/** JSON with every object's keys sorted: two bodies that mean the same have one fingerprint. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** What "the same request" means for a key: method, path with query, and the canonical body. */
export function requestFingerprint(req: Request): string {
  return createHash("sha256")
    .update(canonicalJson([req.method, req.originalUrl, req.body ?? null]))
    .digest("hex");
}

/** An answer the client is told to retry, which a replay must not repeat forever. */
function retriable(status: number, body: string): boolean {
  if (status >= 500 || status === 429) return true;
  return status === 409 && body.includes('"code":"concurrency_conflict"');
}

/**
 * The middleware: after the route's guards (a replay goes only to a caller allowed to make the request),
 * before its handler. Requests other than POST pass untouched.
 */
export function idempotent(
  keys: IdempotencyKeys,
  scopeOf: (req: Request, res: Response) => string,
): RequestHandler {
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (req.method !== "POST" || key === undefined) return next();
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
      throw new InvalidInputError(
        IdempotencyCodes.invalidKey,
        `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
        { details: { maxLength: MAX_IDEMPOTENCY_KEY_LENGTH } },
      );
    const accountId = scopeOf(req, res);
    const begun = await keys.begin(accountId, key, {
      fingerprint: requestFingerprint(req),
      method: req.method,
      path: req.originalUrl,
    });
    if (begun.kind === "reused")
      throw new ConflictError(
        IdempotencyCodes.reused,
        `${IDEMPOTENCY_KEY_HEADER} was used with another request; use a new key for a new request`,
      );
    if (begun.kind === "in_use")
      throw new ConflictError(
        IdempotencyCodes.inUse,
        `a request with this ${IDEMPOTENCY_KEY_HEADER} is still running; retry shortly`,
        { details: { retryAfterSeconds: 1 } },
      );
    if (begun.kind === "replay") {
      res.status(begun.status).set(begun.headers).set(IDEMPOTENT_REPLAYED_HEADER, "true").send(begun.body);
      return;
    }
    holdUntilAnswered(res, keys, accountId, key, begun.requestId, req);
    next();
  };
}

/**
 * Stores the answer before it leaves: `res.end` is held until the row is written, so a client that
 * retries the moment it has the answer finds it stored, not "in use".
 */
function holdUntilAnswered(
  res: Response,
  keys: IdempotencyKeys,
  accountId: string,
  key: string,
  requestId: string,
  req: Request,
): void {
  let streamed = false;
  const write = res.write;
  res.write = function (this: Response, ...args: unknown[]) {
    streamed = true;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Response["write"];
  const end = res.end;
  res.end = function (this: Response, ...args: unknown[]) {
    res.end = end;
    const [chunk] = args;
    const body = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
    const status = res.statusCode;
    const settle =
      streamed || retriable(status, body)
        ? keys.release(accountId, key, requestId)
        : keys.complete(accountId, key, requestId, { status, headers: replayedHeaders(res), body });
    settle
      .catch((error: unknown) =>
        // The answer still goes out; the key stays locked until lockMs, then a retry runs again.
        req.log?.warn({ err: error }, "idempotency key: the answer could not be stored"),
      )
      .finally(() => (end as (...a: unknown[]) => Response).apply(this, args));
    return this;
  } as Response["end"];
}

function replayedHeaders(res: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}
