import { knownPrincipal, requireAccount, requirePermission } from "@platform/auth";
import {
  type HotRoute,
  param,
  parseBody,
  type RateLimitPolicy,
  type RouteGuards,
  type TenantRateLimiter,
  tenantRateLimit,
  who,
} from "@platform/http";
import type { Request, RequestHandler } from "express";
import { z } from "zod";
import type { QuotaAnswer } from "../app/quota";
import type { UsageRateLimits } from "../config";
import type { UsageService } from "../service";
import { USAGE_WRITE } from "./permissions";

const checkBody = z.object({
  metric: z.string().min(1),
  quantity: z.number().int().min(0).default(1),
});

const account = (req: Request) => param(req, "accountId");

/**
 * Per-organization rate limits of the ingest and check APIs (docs/usage.md, "Rate limits"): one
 * counter per organization and API, its window from the organization's plan as the quota view holds
 * it (billing's events), `USAGE_RATE_LIMITS` by plan id, each window with its per-second rate
 * (`burstFor`). Mounted after the guards, so only a request authenticated for the organization spends
 * its quota — no one can exhaust another tenant's.
 */
export function usageRateLimits(service: UsageService): {
  ingest: TenantRateLimiter;
  check: TenantRateLimiter;
} {
  const plans = service.config.USAGE_RATE_LIMITS;
  const limiter = (api: "ingest" | "check") => {
    // Built once: the configuration does not change, and the kit checks a policy object once.
    const policies = new Map(
      Object.entries(plans).map(([name, windows]): [string, RateLimitPolicy] => {
        const { limit, windowSeconds } = windows[api];
        return [name, { name, limit, windowSeconds, burst: burstFor(windows[api]) }];
      }),
    );
    const fallback = policies.get("default") as RateLimitPolicy;
    return tenantRateLimit({
      tenantOf: (req) => req.params.accountId as string | undefined,
      policyFor: async (tenant) => {
        const held = service.quotaView.peek(tenant) ?? (await service.quotaView.get(tenant));
        const plan = held.period?.planId;
        return (plan !== undefined ? policies.get(plan) : undefined) ?? fallback;
      },
      maxConcurrent: service.config.USAGE_MAX_CONCURRENT,
      pauseRefusedMs: service.config.USAGE_REFUSED_PAUSE_MS,
    });
  };
  return { ingest: limiter("ingest"), check: limiter("check") };
}

/**
 * A plan's per-second rate under its window, so an organization spends its minute over the minute
 * rather than in its first seconds, in competition with everyone else's requests (docs/benchmarks.md,
 * flood fairness): the plan's own `burst`, or by default twice the window's average rate, rounded up
 * (6,000 a minute: 200 a second). None when the plan says `false`, or when the window is too short for
 * a shorter one to add anything.
 */
export function burstFor(window: UsageRateLimits[string]["check"]): RateLimitPolicy["burst"] {
  if (window.burst === false) return undefined;
  if (window.burst) return window.burst;
  const limit = Math.ceil((window.limit / window.windowSeconds) * 2);
  return window.windowSeconds > 1 && limit < window.limit ? { limit, windowSeconds: 1 } : undefined;
}

/**
 * The organization a gate may refuse before the body is read: the one of a token the verifier has
 * already verified (a repeat caller, as a flood is), when the path names it. Anything else goes on
 * to the guards, which verify it and answer 401/403 as usual.
 */
export function gateTenant(service: UsageService) {
  return (req: Request): string | undefined => {
    const accountId = knownPrincipal(service.access.verifier, req)?.accountId;
    return accountId && accountId === req.params.accountId ? accountId : undefined;
  };
}

/**
 * `POST …/quotas/check`: may the organization use `quantity` more of `metric` in this period? Needs
 * `usage.write`: the caller is the backend about to do the work and report it, and a refusal is written
 * to usage's log, which a read-only role (billing_manager) should not be able to fill. The guards are
 * inAccount's but for the closed-organization check, which is a database transaction per POST: the
 * quota view knows the organization is closed (tenancy's event) and the checker refuses with the
 * same 409 `organization_closed`, so the check touches no database. A hot route (packages/http
 * hot-routes.ts): a backend makes one before each unit of work, and express's router and body parser
 * cost more than the check itself (docs/usage.md, "Quota checks").
 */
export function quotaCheckRoute(
  service: UsageService,
  guards: RouteGuards,
  limit: TenantRateLimiter,
  gateTenantOf: (req: Request) => string | undefined,
): HotRoute {
  return {
    method: "POST",
    path: "/v1/organizations/:accountId/quotas/check",
    gates: [limit.gate(gateTenantOf)],
    handlers: [
      guards.signedIn,
      requireAccount("accountId") as RequestHandler,
      requirePermission(USAGE_WRITE) as RequestHandler,
      limit,
      async (req, res) => {
        const { metric, quantity } = parseBody(checkBody, req.body);
        const answer = await service.quota.check(account(req), metric, quantity, () => who(req, res));
        res.json(quotaJson(answer));
      },
    ],
  };
}

function quotaJson(answer: QuotaAnswer) {
  return {
    metric: answer.metric,
    allowed: answer.allowed,
    remaining: answer.remaining,
    limit: answer.limit,
    resets_at: answer.resetsAt?.toISOString() ?? null,
  };
}
