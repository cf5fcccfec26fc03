import { param, type RouteGuards } from "@platform/http";
import type { Router } from "express";
import type { MonthRange } from "../app/revenue";
import type { MonthFigures } from "../domain/revenue";
import type { BillingService } from "../service";
import { parseMetricsQuery } from "./metrics.validators";
import { operatorOnly } from "./operator";
import { BILLING_READ } from "./permissions";

/** Revenue metrics (docs/billing.md, Revenue metrics): one organization's, and the operator's across all. */
export function metricsRoutes(service: BillingService, { inAccount }: RouteGuards) {
  const { revenue } = service;
  const currency = service.subscriptions.catalog()[0]?.currency ?? "USD";
  const answer = (scope: object, range: MonthRange, months: MonthFigures[]) => ({
    ...scope,
    ...range,
    currency,
    months,
  });
  return (router: Router) => {
    router.get(
      "/v1/organizations/:accountId/billing/metrics",
      ...inAccount(BILLING_READ),
      async (req, res) => {
        const range = revenue.range(parseMetricsQuery(req.query));
        const accountId = param(req, "accountId");
        const months = await revenue.forOrganization(accountId, range);
        res.json(answer({ scope: "organization", account_id: accountId }, range, months));
      },
    );
    router.get(
      "/v1/billing/metrics",
      operatorOnly(service.config.BILLING_OPERATOR_TOKEN),
      async (req, res) => {
        const range = revenue.range(parseMetricsQuery(req.query));
        res.json(answer({ scope: "platform" }, range, await revenue.forPlatform(range)));
      },
    );
  };
}
