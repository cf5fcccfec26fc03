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
}

/** The error code of a refused request (429), public API like every error code. */
export const RATE_LIMITED_CODE = "rate_limited";

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
export function tenantRateLimit(options: TenantRateLimitOptions): RequestHandler {
  const limiters = new Map<string, RateLimiterMemory>();
  const limiterFor = ({ limit, windowSeconds }: Required<RateLimitPolicy>) => {
    const key = `${limit}/${windowSeconds}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = new RateLimiterMemory({ keyPrefix: `tenant:${key}`, points: limit, duration: windowSeconds });
      limiters.set(key, limiter);
    }
    return limiter;
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    const tenant = options.tenantOf(req);
    if (tenant === undefined) return next();
    const policy = validPolicy(await options.policyFor(tenant));
    const name = sfString(policy.name);
    res.set("RateLimit-Policy", `${name};q=${policy.limit};w=${policy.windowSeconds}`);
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
    // Whole seconds, never 0 while the window is open: a client told t=0 would retry at once.
    const resetSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
    res.set("RateLimit", `${name};r=${Math.max(0, outcome.remainingPoints)};t=${resetSeconds}`);
    if (allowed) return next();
    throw new PlatformError(
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
  };
}
