import { param, parseBody, routeGuards, who } from "@platform/http";
import type { Router } from "express";
import type { BillingService } from "../service";
import { discountRoutes, testClockRoutes } from "./extra-routes";
import { invoiceDocumentRoutes } from "./invoice-document-routes";
import { invoiceRoutes } from "./invoice-routes";
import { metricsRoutes } from "./metrics-routes";
import { BILLING_MANAGE, BILLING_READ } from "./permissions";
import { planJson, subscriptionJson } from "./serializers";
import {
  billingCycleBody,
  cancelBody,
  downgradeBody,
  paymentMethodBody,
  paymentMethodOf,
  subscribeBody,
  upgradeBody,
} from "./subscription.validators";

/** billing's HTTP API: parse at the edge, call one command, answer (docs/billing.md, API). */
export function billingRoutes(service: BillingService) {
  const guards = routeGuards(service);
  const { signedIn, inAccount } = guards;
  const { subscriptions } = service;
  const base = "/v1/organizations/:accountId/subscription";
  const account = (req: Parameters<Parameters<Router["get"]>[1]>[0]) => param(req, "accountId");
  const invoicing = invoiceRoutes(service);
  const documents = invoiceDocumentRoutes(service);
  /**
   * An upgrade or a switch of cycle: its proration invoice is finalized and charged at once (a decline
   * makes it past due). The change is committed by then; a step that fails here (a concurrent step won
   * the invoice) is the scheduler's to take again, not the caller's error.
   */
  const changedNow = async (...args: Parameters<typeof subscriptions.changePlan>) => {
    const [accountId] = args;
    await subscriptions.changePlan(...args);
    await service.invoices.runDueFor(accountId).catch((error: unknown) => {
      service.logger.warn(
        { error, accountId },
        "charging a plan change at once failed; the scheduler retries it",
      );
    });
    return subscriptions.get(accountId);
  };

  const metrics = metricsRoutes(service, guards);
  const discounts = discountRoutes(service);
  const testClocks = service.config.BILLING_TEST_CLOCKS ? testClockRoutes(service) : null;

  return (router: Router) => {
    metrics(router);
    invoicing(router);
    documents(router);
    discounts(router);
    testClocks?.(router);
    router.get("/v1/plans", signedIn, (_req, res) => {
      res.json({ data: subscriptions.catalog().map(planJson) });
    });
    router.get(base, ...inAccount(BILLING_READ), async (req, res) => {
      res.json(subscriptionJson(await subscriptions.get(account(req))));
    });
    router.post(base, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(subscribeBody, req.body);
      const method = body.payment_method ? paymentMethodOf(body.payment_method) : null;
      const order = { planId: body.plan_id, interval: body.interval, method };
      res
        .status(201)
        .json(subscriptionJson(await subscriptions.subscribe(account(req), order, who(req, res))));
    });
    router.post(`${base}/upgrade`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(upgradeBody, req.body);
      const change = { planId: body.plan_id, interval: null, expected: ["upgrade" as const] };
      res.json(subscriptionJson(await changedNow(account(req), change, who(req, res))));
    });
    router.post(`${base}/downgrade`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(downgradeBody, req.body);
      const change = { planId: body.plan_id, interval: null, expected: ["downgrade" as const] };
      res.json(subscriptionJson(await subscriptions.changePlan(account(req), change, who(req, res))));
    });
    router.delete(`${base}/scheduled-downgrade`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      res.json(subscriptionJson(await subscriptions.cancelScheduledDowngrade(account(req), who(req, res))));
    });
    router.post(`${base}/billing-cycle`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(billingCycleBody, req.body);
      const change = {
        planId: body.plan_id ?? null,
        interval: body.interval,
        expected: ["interval_switch" as const],
      };
      res.json(subscriptionJson(await changedNow(account(req), change, who(req, res))));
    });
    router.post(`${base}/cancel`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(cancelBody, req.body ?? {});
      const options = { atPeriodEnd: body.at_period_end, reason: body.reason ?? null };
      res.json(subscriptionJson(await subscriptions.cancel(account(req), options, who(req, res))));
    });
    router.post(`${base}/payment-method`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const method = paymentMethodOf(parseBody(paymentMethodBody, req.body));
      res.json(
        subscriptionJson(await subscriptions.attachPaymentMethod(account(req), method, who(req, res))),
      );
    });
  };
}
