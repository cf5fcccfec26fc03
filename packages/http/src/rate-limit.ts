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
  /**
   * A shorter window spent together with the policy's own (Stripe's per-second rate under a longer
   * quota): without it a tenant may spend its whole window in its first seconds, as fast as its
   * connections can send, and those allowed requests compete with every other tenant's. A request is
   * refused when either window is spent; one the short window refuses spends nothing of the long one.
   * `windowSeconds` (1 when not given) must be shorter than the policy's; `name` defaults to
   * `<name>-burst`.
   */
  burst?: { limit: number; windowSeconds?: number; name?: string };
}

export interface TenantRateLimitOptions {
  /**
   * The tenant a request counts against (the verified token's organization, an API key's account);
   * undefined passes the request unlimited and without headers, so mount the limiter after the
   * authentication that names the tenant.
   */
  tenantOf: (req: Request) => string | undefined;
  /**
   * The tenant's policy, typically from its plan; asked on every request, so a plan change applies at
   * once. A policy object is checked once and remembered: return the same object for the same policy
   * (built once from the configuration) and never change it in place.
   */
  policyFor: (tenant: string) => RateLimitPolicy | Promise<RateLimitPolicy>;
  /**
   * At most this many of one tenant's requests in progress at once (from the limiter to the end of the
   * response), so one tenant cannot hold every connection of a pool or the event loop's queue; one
   * more answers 429 `concurrency_limited` with `Retry-After: 1` and spends no quota. Unbounded if not given.
   */
  maxConcurrent?: number;
  /**
   * After a 429 (`rate_limited` or `concurrency_limited`, from the limiter or its gate) has been sent,
   * stop reading that connection for its `Retry-After`, at most this many milliseconds, then read on;
   * after a burst window's 429, until that window reopens plus a random part of the next one, so
   * the tenant's connections do not all come back at once (give it twice the burst window for that).
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

/** One window of a policy, as the limiter counts it and the fields name it. */
interface Window {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** A policy checked: its windows shortest first (the order they are spent in), and its fields. */
interface ValidPolicy {
  windows: Window[];
  /** Tells policies apart, so a plan changed since a refusal is not refused under the old one. */
  key: string;
  /** The RateLimit-Policy field: every window, as a List (the draft's form for several policies). */
  field: string;
}

/**
 * A policy the fields cannot state is the service's bug, not the client's: a plain Error, so the
 * request fails as 500 `internal_error` (and is logged) instead of passing unlimited.
 */
function validPolicy(policy: RateLimitPolicy): ValidPolicy {
  const { limit, windowSeconds, name = "default", burst } = policy;
  const main = validWindow({ name, limit, windowSeconds }, "");
  const windows = [main];
  if (burst) {
    const short = validWindow(
      { name: burst.name ?? `${name}-burst`, limit: burst.limit, windowSeconds: burst.windowSeconds ?? 1 },
      "burst ",
    );
    if (short.windowSeconds >= main.windowSeconds)
      throw new Error(
        `rate limit policy: burst windowSeconds must be shorter than the policy's ${main.windowSeconds}, not ${short.windowSeconds}`,
      );
    if (short.name === main.name)
      throw new Error("rate limit policy: burst name must differ from the policy's");
    windows.unshift(short);
  }
  return {
    windows,
    key: windows.map(windowKey).join("+"),
    field: [main, ...windows.slice(0, -1)]
      .map((w) => `${sfString(w.name)};q=${w.limit};w=${w.windowSeconds}`)
      .join(", "),
  };
}

function validWindow({ name, limit, windowSeconds }: Window, what: string): Window {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`rate limit policy: ${what}limit must be a whole number >= 1, not ${limit}`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1)
    throw new Error(
      `rate limit policy: ${what}windowSeconds must be a whole number >= 1, not ${windowSeconds}`,
    );
  if (!/^[\x20-\x7e]{1,64}$/.test(name))
    throw new Error(`rate limit policy: ${what}name must be 1-64 printable ASCII characters`);
  return { name, limit, windowSeconds };
}

/**
 * A per-tenant rate limiter middleware: each tenant has its own counter under its own policy, so one
 * tenant spending its quota leaves every other one untouched. Every answer it lets through or refuses
 * carries the IETF httpapi fields (draft-ietf-httpapi-ratelimit-headers-10):
 *
 *   RateLimit-Policy: "pro";q=600;w=60     the policy: quota q per window of w seconds
 *   RateLimit: "pro";r=599;t=60            now: r requests left, the window resets in t seconds
 *
 * With a `burst` window the policy field lists both, and RateLimit speaks of the one nearest to
 * refusal (fewest requests left; the refusing one on a 429):
 *
 *   RateLimit-Policy: "pro";q=600;w=60, "pro-burst";q=20;w=1
 *   RateLimit: "pro-burst";r=19;t=1
 *
 * Over the quota it answers 429 problem+json, code `rate_limited`, with `Retry-After` (= t) and
 * `retryAfterSeconds` in the body, through the app's error handler.
 *
 * Counters are kept in this process's memory (rate-limiter-flexible's RateLimiterMemory): right for a
 * service run as one process; behind several replicas each would count alone (a tenant gets up to
 * replicas × limit), and the store is swapped for its Redis or Postgres limiter then. One limiter per
 * distinct window; a tenant whose plan changes starts fresh windows under the new policy (a window the
 * old and new policies share goes on counting). The two windows are consumed one after the other, not
 * with RateLimiterUnion, which spends every window even when one refuses: a tenant held back by its
 * short window would burn its long one.
 */
export function tenantRateLimit(options: TenantRateLimitOptions): TenantRateLimiter {
  const checked = new WeakMap<RateLimitPolicy, ValidPolicy>();
  const policyOf = async (tenant: string) => {
    const policy = await options.policyFor(tenant);
    let valid = checked.get(policy);
    if (!valid) {
      valid = validPolicy(policy);
      checked.set(policy, valid);
    }
    return valid;
  };
  const limiters = new Map<string, RateLimiterMemory>();
  const limiterFor = (window: Window) => {
    const { limit, windowSeconds } = window;
    const key = windowKey(window);
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiterMemory({ keyPrefix: `tenant:${key}`, points: limit, duration: windowSeconds });
      limiters.set(key, limiter);
    }
    return limiter;
  };
  /** Tenants with a window spent: until when, under which policy, and which window (the gate's answer). */
  const spent = new Map<string, { until: number; policy: string; window: Window }>();
  /** The later of two spent windows is the one that holds: a spent short window never hides a spent long one. */
  const markSpent = (tenant: string, until: number, policy: ValidPolicy, window: Window) => {
    const held = spent.get(tenant);
    if (held && held.policy === policy.key && held.until > until) return;
    spent.set(tenant, { until, policy: policy.key, window });
  };
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
  const holdBack = (req: Request, res: Response, retryAfterSeconds: number, spreadMs?: number) => {
    const ms = Math.min(pauseRefusedMs, spreadMs ?? retryAfterSeconds * 1000);
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

  /**
   * A connection refused by a burst window is held until the window reopens plus a random part of the
   * next one (at most `pauseRefusedMs` in all), not for the whole seconds of its Retry-After: a
   * tenant's connections, refused together once its burst is spent, would otherwise come back together
   * at the next window's start, and another tenant's request arriving then would queue behind one of
   * theirs per connection (docs/benchmarks.md, usage's flood fairness).
   */
  const burstPause = (policy: ValidPolicy, window: Window, msBeforeNext: number) =>
    policy.windows.length > 1 && window.name === policy.windows[0]?.name
      ? msBeforeNext + Math.random() * window.windowSeconds * 1000
      : undefined;

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
    const policy = await policyOf(tenant);
    res.set("RateLimit-Policy", policy.field);
    if (busy(tenant)) throw concurrencyRefusal(req, res);
    let nearest: { window: Window; outcome: RateLimiterRes } | undefined;
    let refusedBy: Window | undefined;
    for (const window of policy.windows) {
      let outcome: RateLimiterRes;
      try {
        outcome = await limiterFor(window).consume(tenant, 1);
      } catch (refusal) {
        // The limiter rejects with its RateLimiterRes when over the quota, with an Error when its store fails.
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        outcome = refusal;
        refusedBy = window;
      }
      if (outcome.remainingPoints <= 0) markSpent(tenant, Date.now() + outcome.msBeforeNext, policy, window);
      if (refusedBy || !nearest || nearer(outcome, nearest.outcome)) nearest = { window, outcome };
      // A request the short window refuses spends nothing of the long one.
      if (refusedBy) break;
    }
    const { window, outcome } = nearest as { window: Window; outcome: RateLimiterRes };
    // Whole seconds, never 0 while the window is open: a client told t=0 would retry at once.
    const resetSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
    res.set(
      "RateLimit",
      `${sfString(window.name)};r=${Math.max(0, outcome.remainingPoints)};t=${resetSeconds}`,
    );
    if (refusedBy) {
      holdBack(req, res, resetSeconds, burstPause(policy, refusedBy, outcome.msBeforeNext));
      throw rateLimited(refusedBy, resetSeconds);
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
      const policy = await policyOf(tenant);
      if (policy.key !== refused.policy) return next();
      const resetSeconds = Math.max(1, Math.ceil(left / 1000));
      res.set("RateLimit-Policy", policy.field);
      res.set("RateLimit", `${sfString(refused.window.name)};r=0;t=${resetSeconds}`);
      holdBack(req, res, resetSeconds, burstPause(policy, refused.window, left));
      throw rateLimited(refused.window, resetSeconds);
    };

  return Object.assign(limiter, { gate });
}

function windowKey({ limit, windowSeconds }: Window): string {
  return `${limit}/${windowSeconds}`;
}

/** Fewer requests left is nearer to refusal; of two windows with as many left, the one that resets later. */
function nearer(a: RateLimiterRes, b: RateLimiterRes): boolean {
  return (
    a.remainingPoints < b.remainingPoints ||
    (a.remainingPoints === b.remainingPoints && a.msBeforeNext > b.msBeforeNext)
  );
}

/** The window that refused is named (`policy`) so a client can tell a burst from a spent quota. */
function rateLimited(window: Window, resetSeconds: number): PlatformError {
  return new PlatformError(
    "rate_limited",
    RATE_LIMITED_CODE,
    `the quota of ${window.limit} requests per ${window.windowSeconds} s is spent; retry in ${resetSeconds} s`,
    {
      details: {
        retryAfterSeconds: resetSeconds,
        policy: window.name,
        limit: window.limit,
        windowSeconds: window.windowSeconds,
      },
    },
  );
}
