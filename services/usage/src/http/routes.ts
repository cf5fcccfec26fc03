import { InvalidInputError } from "@platform/errors";
import {
  type BatchItemError,
  batchIntake,
  type HttpAppOptions,
  param,
  type RouteGuards,
  routeGuards,
  who,
} from "@platform/http";
import type { NextFunction, Request, Response, Router } from "express";
import type { ReportedUsage, UsageProblem } from "../domain/usage-events";
import type { UsageService } from "../service";
import { usageCorrectionRoutes } from "./correction-routes";
import { USAGE_READ, USAGE_WRITE } from "./permissions";
import { usageQueryRoutes } from "./query-routes";
import { gateTenant, quotaCheckRoute, usageRateLimits } from "./quota-routes";
import { currentUsageJson } from "./serializers";

/**
 * usage's HTTP API for createHttpApp/runService: the routes, and the rate limiters' gates in front of
 * the body reader (a flooding organization's refused requests cost no parsing, no guard, no route).
 */
export function usageHttp(
  service: UsageService,
): Pick<HttpAppOptions, "routes" | "gates" | "hotRoutes" | "accessLog"> {
  const limits = usageRateLimits(service);
  const tenant = gateTenant(service);
  const base = "/v1/organizations/:accountId";
  const guards = routeGuards(service);
  return {
    hotRoutes: [quotaCheckRoute(service, guards, limits.check, tenant)],
    gates: (router) => {
      router.post([`${base}/usage`, `${base}/usage/batch`], limits.ingest.gate(tenant));
      router.put(`${base}/usage/events/:key`, limits.ingest.gate(tenant));
      router.post(`${base}/usage/events/:key/void`, limits.ingest.gate(tenant));
    },
    routes: usageRoutes(service, guards, limits),
    // A backend checks before each unit of work: an info line per allowed check would be most of the
    // log and of the check's CPU. Refusals (4xx), errors and slow checks are logged as always.
    accessLog: { quiet: (req) => req.method === "POST" && QUOTA_CHECK.test(req.path) },
  };
}

const QUOTA_CHECK = /^\/v1\/organizations\/[^/]+\/quotas\/check$/;

/** usage's HTTP API: parse at the edge, hand over to the intake or the reader, answer (docs/usage.md). */
function usageRoutes(service: UsageService, guards: RouteGuards, limits: ReturnType<typeof usageRateLimits>) {
  const { inAccount } = guards;
  const { intake, reader } = service;
  const base = "/v1/organizations/:accountId/usage";
  const account = (req: Request) => param(req, "accountId");
  // The organization's now, read once per request before its events are (its test clock's time, if any).
  const accountNow = async (req: Request, res: Response, next: NextFunction) => {
    res.locals.usageNow = await intake.now(account(req));
    next();
  };
  const now = (res: Response) => res.locals.usageNow as number;

  const queryRoutes = usageQueryRoutes(service);
  const correctionRoutes = usageCorrectionRoutes(service, limits.ingest);

  return (router: Router) => {
    queryRoutes(router);
    correctionRoutes(router);
    router.get(base, ...inAccount(USAGE_READ), async (req, res) => {
      res.json(currentUsageJson(await reader.current(account(req))));
    });

    // One event: refused with the first problem's own code (negative_quantity, unknown_metric, …).
    router.post(base, ...inAccount(USAGE_WRITE), limits.ingest, accountNow, async (req, res) => {
      const { usage, problems } = intake.read(req.body, now(res));
      if (!usage) throw refusal(problems);
      const produced = await intake.accept(account(req), [usage], who(req, res));
      res.status(202).json({ accepted: 1, duplicates: 1 - produced });
    });

    // Up to USAGE_MAX_BATCH events, accepted or refused as a whole (400 invalid_batch naming each problem).
    router.post(
      `${base}/batch`,
      ...inAccount(USAGE_WRITE),
      limits.ingest,
      accountNow,
      batchIntake({
        field: "events",
        maxItems: service.config.USAGE_MAX_BATCH,
        validate: (items, _req, res) =>
          items.flatMap((item, index): BatchItemError[] =>
            intake
              .read(item, now(res))
              .problems.map((p) => ({ index, path: p.path, message: p.message, code: p.code })),
          ),
        accept: async (items, req, res) => {
          const usages = items.map((item) => intake.read(item, now(res)).usage as ReportedUsage);
          await intake.accept(account(req), usages, who(req, res));
        },
      }),
    );
  };
}

function refusal(problems: UsageProblem[]): InvalidInputError {
  const [first] = problems as [UsageProblem];
  return new InvalidInputError(first.code, `${first.path || "body"}: ${first.message}`, {
    details: { errors: problems },
  });
}
