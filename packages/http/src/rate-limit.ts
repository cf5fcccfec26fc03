import type { Socket } from "node:net";
import { PlatformError } from "@platform/errors";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/** How many requests a tenant may make per window (fixed windows, from the tenant's first request). */
export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number;
  /**
   * The policy's name in the headers (a plan, say); "default" when not given. Printable ASCII: it is
   * sent as a Structured Field String.
   */
  name?: string;
}

export interface TenantRateLimitOptions {
  /**
   * The tenant a request counts against (the verified token's organization, an API key's account);
   * undefined passes the request unlimited and without headers, so mount the limiter after the
   * authentication that names the tenant.
   */
  tenantOf: (req: Request) => string | undefined;
  /** The tenant's policy, typically from its plan; asked on every request, so a plan change applies at once. */
  policyFor: (tenant: string) => RateLimitPolicy | Promise<RateLimitPolicy>;
  /**
   * At most this many of one tenant's requests in progress at once (from the limiter to the end of the
   * response), so one tenant cannot hold every connection of a pool or the event loop's queue; one
   * more answers 429 `concurrency_limited` with `Retry-After: 1` and spends no quota. Unbounded if not given.
   */
  maxConcurrent?: number;
  /**
   * After a 429 (`rate_limited` or `concurrency_limited`, from the limiter or its gate) has been sent,
   * stop reading that connection for its `Retry-After`, at most this many milliseconds, then read on.
   * A closed-loop flooder's next requests wait in the kernel's socket buffer instead of each costing
   * a parse, the routing and another 429 on the event loop. Only the refused connection waits; other
   * connections, the same tenant's included, are read as usual. 0 (the default) never pauses: a
   * proxy that sends several tenants' requests over one pooled connection would otherwise make
   * another tenant wait behind the refused one.
   */
  pauseRefusedMs?: number;
}

/**
 * The limiter's middleware, which spends quota, and its `gate`: the same counters read without
 * spending, for mounting in front of the expensive work (reading the body, verifying a signature).
 */
export interface TenantRateLimiter extends RequestHandler {
  /**
   * Refuses, before anything else runs, a tenant whose window is already spent (the limiter's own 429,
   * the same fields) or that has `maxConcurrent` requests in progress; passes everything else on to
   * the limiter, which decides as always. It spends nothing, so `tenantOf` may be any cheap source
   * that cannot be forged for another tenant (a credential already verified, not a path parameter
   * alone: anyone could then learn that a tenant is over its quota).
   */
  gate(tenantOf: (req: Request) => string | undefined): RequestHandler;
}

/** The error code of a refused request (429), public API like every error code. */
export const RATE_LIMITED_CODE = "rate_limited";
/** The error code of a request refused for the tenant's requests in progress (429). */
export const CONCURRENCY_LIMITED_CODE = "concurrency_limited";

/** Structured Field String (RFC 9651 §3.3.3): quoted, `"` and `\` escaped. */
function sfString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A policy the fields cannot state is the service's bug, not the client's: a plain Error, so the
 * request fails as 500 `internal_error` (and is logged) instead of passing unlimited.
 */
function validPolicy(policy: RateLimitPolicy): Required<RateLimitPolicy> {
  const { limit, windowSeconds, name = "default" } = policy;
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`rate limit policy: limit must be a whole number >= 1, not ${limit}`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1)
    throw new Error(`rate limit policy: windowSeconds must be a whole number >= 1, not ${windowSeconds}`);
  if (!/^[\x20-\x7e]{1,64}$/.test(name))
    throw new Error("rate limit policy: name must be 1-64 printable ASCII characters");
  return { limit, windowSeconds, name };
}

/**
 * A per-tenant rate limiter middleware: each tenant has its own counter under its own policy, so one
 * tenant spending its quota leaves every other one untouched. Every answer it lets through or refuses
 * carries the IETF httpapi fields (draft-ietf-httpapi-ratelimit-headers-10):
 *
 *   RateLimit-Policy: "pro";q=600;w=60     the policy: quota q per window of w seconds
 *   RateLimit: "pro";r=599;t=60            now: r requests left, the window resets in t seconds
 *
 * Over the quota it answers 429 problem+json, code `rate_limited`, with `Retry-After` (= t) and
 * `retryAfterSeconds` in the body, through the app's error handler.
 *
 * Counters are kept in this process's memory (rate-limiter-flexible's RateLimiterMemory): right for a
 * service run as one process; behind several replicas each would count alone (a tenant gets up to
 * replicas × limit), and the store is swapped for its Redis or Postgres limiter then. One limiter per
 * distinct policy; a tenant whose plan changes starts a fresh window under the new policy.
 */
export function tenantRateLimit(options: TenantRateLimitOptions): TenantRateLimiter {
  const limiters = new Map<string, RateLimiterMemory>();
  const limiterFor = ({ limit, windowSeconds }: Required<RateLimitPolicy>) => {
    const key = policyKey({ limit, windowSeconds });
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiterMemory({ keyPrefix: `tenant:${key}`, points: limit, duration: windowSeconds });
      limiters.set(key, limiter);
    }
    return limiter;
  };
  /** Tenants whose window is spent, until when and under which policy: what the gate reads. */
  const spent = new Map<string, { until: number; policy: string }>();
  const inFlight = new Map<string, number>();
  const { maxConcurrent } = options;
  if (maxConcurrent !== undefined && (!Number.isInteger(maxConcurrent) || maxConcurrent < 1))
    throw new Error(`tenantRateLimit: maxConcurrent must be a whole number >= 1, not ${maxConcurrent}`);

  const pauseRefusedMs = options.pauseRefusedMs ?? 0;
  if (!Number.isInteger(pauseRefusedMs) || pauseRefusedMs < 0)
    throw new Error(`tenantRateLimit: pauseRefusedMs must be a whole number >= 0, not ${pauseRefusedMs}`);
  /** Connections not read until their timer fires: one pause at a time, never stacked. */
  const paused = new WeakSet<Socket>();
  /**
   * Holds a refused connection back once its 429 is out ("finish": written to the socket, so the
   * answer itself is never held). Pausing the socket pauses node's HTTP parser on it (node does the
   * same for its own write backpressure); requests already sent wait unparsed, and are answered in
   * order once it resumes. A connection closed meanwhile just drops its timer.
   */
  const holdBack = (req: Request, res: Response, retryAfterSeconds: number) => {
    const ms = Math.min(pauseRefusedMs, retryAfterSeconds * 1000);
    if (ms <= 0) return;
    const socket = req.socket;
    res.once("finish", () => {
      if (paused.has(socket) || socket.destroyed) return;
      paused.add(socket);
      socket.pause();
      // node resumes the socket itself when it discards a body nobody read (the gate's refusals):
      // pause it again until the timer says so.
      const hold = () => socket.pause();
      socket.on("resume", hold);
      const release = () => {
        clearTimeout(timer);
        socket.off("close", release);
        socket.off("resume", hold);
        paused.delete(socket);
        if (!socket.destroyed) socket.resume();
      };
      const timer = setTimeout(release, ms);
      timer.unref();
      socket.once("close", release);
    });
  };

  const concurrencyRefusal = (req: Request, res: Response) => {
    holdBack(req, res, 1);
    return new PlatformError(
      "rate_limited",
      CONCURRENCY_LIMITED_CODE,
      `at most ${maxConcurrent} requests of one organization may be in progress at once; retry in 1 s`,
      { details: { retryAfterSeconds: 1, maxConcurrent } },
    );
  };
  const busy = (tenant: string) =>
    maxConcurrent !== undefined && (inFlight.get(tenant) ?? 0) >= maxConcurrent;

  const limiter = async (req: Request, res: Response, next: NextFunction) => {
    const tenant = options.tenantOf(req);
    if (tenant === undefined) return next();
    const policy = validPolicy(await options.policyFor(tenant));
    const name = sfString(policy.name);
    res.set("RateLimit-Policy", `${name};q=${policy.limit};w=${policy.windowSeconds}`);
    if (busy(tenant)) throw concurrencyRefusal(req, res);
    let outcome: RateLimiterRes;
    let allowed: boolean;
    try {
      outcome = await limiterFor(policy).consume(tenant, 1);
      allowed = true;
    } catch (refusal) {
      // The limiter rejects with its RateLimiterRes when over the quota, with an Error when its store fails.
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      outcome = refusal;
      allowed = false;
    }
    if (outcome.remainingPoints <= 0)
      spent.set(tenant, { until: Date.now() + outcome.msBeforeNext, policy: policyKey(policy) });
    // Whole seconds, never 0 while the window is open: a client told t=0 would retry at once.
    const resetSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
    res.set("RateLimit", `${name};r=${Math.max(0, outcome.remainingPoints)};t=${resetSeconds}`);
    if (!allowed) {
      holdBack(req, res, resetSeconds);
      throw rateLimited(policy, resetSeconds);
    }
    if (maxConcurrent !== undefined) {
      inFlight.set(tenant, (inFlight.get(tenant) ?? 0) + 1);
      // "close" comes once per response, sent or abandoned by the client.
      res.once("close", () => {
        const left = (inFlight.get(tenant) ?? 1) - 1;
        if (left > 0) inFlight.set(tenant, left);
        else inFlight.delete(tenant);
      });
    }
    return next();
  };

  const gate =
    (tenantOf: (req: Request) => string | undefined): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      const tenant = tenantOf(req);
      if (tenant === undefined) return next();
      if (busy(tenant)) throw concurrencyRefusal(req, res);
      const refused = spent.get(tenant);
      if (!refused) return next();
      const left = refused.until - Date.now();
      if (left <= 0) {
        spent.delete(tenant);
        return next();
      }
      // The policy is asked again (cheap where it comes from memory): a plan changed since the refusal
      // goes to the limiter, which starts the tenant's window under the new one.
      const policy = validPolicy(await options.policyFor(tenant));
      if (policyKey(policy) !== refused.policy) return next();
      const name = sfString(policy.name);
      const resetSeconds = Math.max(1, Math.ceil(left / 1000));
      res.set("RateLimit-Policy", `${name};q=${policy.limit};w=${policy.windowSeconds}`);
      res.set("RateLimit", `${name};r=0;t=${resetSeconds}`);
      holdBack(req, res, resetSeconds);
      throw rateLimited(policy, resetSeconds);
    };

  return Object.assign(limiter, { gate });
}

function policyKey({ limit, windowSeconds }: Pick<RateLimitPolicy, "limit" | "windowSeconds">): string {
  return `${limit}/${windowSeconds}`;
}

function rateLimited(policy: Required<RateLimitPolicy>, resetSeconds: number): PlatformError {
  return new PlatformError(
    "rate_limited",
    RATE_LIMITED_CODE,
    `the quota of ${policy.limit} requests per ${policy.windowSeconds} s is spent; retry in ${resetSeconds} s`,
    {
      details: {
        retryAfterSeconds: resetSeconds,
        limit: policy.limit,
        windowSeconds: policy.windowSeconds,
      },
    },
  );
}
