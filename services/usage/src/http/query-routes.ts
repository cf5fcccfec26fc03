import { InvalidInputError } from "@platform/errors";
import { param, routeGuards } from "@platform/http";
import type { Request, Router } from "express";
import { UsageQueries } from "../app/usage-queries";
import {
  readBreakdownQuery,
  readSeriesQuery,
  type SeriesQuery,
  type UsageQueryProblem,
} from "../domain/usage-queries";
import type { UsageService } from "../service";
import { USAGE_READ } from "./permissions";

/** usage's reads beyond the current period: a meter's time series and its breakdown by one dimension. */
export function usageQueryRoutes(service: UsageService) {
  const { inAccount } = routeGuards(service);
  const queries = new UsageQueries(service.db, service.time);
  const base = "/v1/organizations/:accountId/usage";
  const account = (req: Request) => param(req, "accountId");
  // A missing `to` is the organization's now (its test clock's time on a clock), read only when it is
  // the default: with `to` given, now is not used.
  const now = async (req: Request, defaultsTo: boolean) =>
    defaultsTo ? service.time.now(account(req)) : service.clock.now().getTime();

  return (router: Router) => {
    router.get(`${base}/series`, ...inAccount(USAGE_READ), async (req, res) => {
      const { query, problem } = readSeriesQuery(
        req.query,
        service.meters,
        await now(req, req.query.to === undefined),
      );
      if (problem) throw refusal(problem);
      const points = await queries.series(account(req), query);
      res.json(seriesJson(query, points));
    });

    router.get(`${base}/breakdown`, ...inAccount(USAGE_READ), async (req, res) => {
      // Neither bound: the current period, which the query reads at the organization's now itself.
      const defaultsTo = req.query.to === undefined && req.query.from !== undefined;
      const { query, problem } = readBreakdownQuery(req.query, service.meters, await now(req, defaultsTo));
      if (problem) throw refusal(problem);
      const { from, to, rows } = await queries.breakdown(account(req), query);
      res.json({
        metric: query.meter.metric,
        aggregation: query.meter.aggregation,
        dimension: query.dimension,
        from: from.toISOString(),
        to: to.toISOString(),
        values: rows.map((row) => ({ value: row.value, total: row.total })),
      });
    });
  };
}

function seriesJson(query: SeriesQuery, points: { start: Date; value: number | null }[]) {
  return {
    metric: query.meter.metric,
    aggregation: query.meter.aggregation,
    granularity: query.granularity,
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
    points: points.map((p) => ({ start: p.start.toISOString(), value: p.value })),
  };
}

function refusal(problem: UsageQueryProblem): InvalidInputError {
  return new InvalidInputError(problem.code, `${problem.param}: ${problem.message}`, {
    details: { param: problem.param },
  });
}
