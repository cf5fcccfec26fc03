import { InvalidInputError } from "@platform/errors";
import { idempotent, param, parseBody, routeGuards, who } from "@platform/http";
import type { Request, Router } from "express";
import type { Coupon } from "../domain/coupons";
import type { BillingService } from "../service";
import { applyDiscountBody, defineCouponBody, removeDiscountBody } from "./discount.validators";
import { operatorOnly } from "./operator";
import { BILLING_MANAGE, BILLING_READ } from "./permissions";
import { subscriptionJson, testClockJson } from "./serializers";
import { advanceTestClockBody, createTestClockBody } from "./test-clock.validators";

const account = (req: Request) => param(req, "accountId");

const couponJson = (coupon: Coupon) => ({
  coupon_id: coupon.discount_id,
  name: coupon.name,
  kind: coupon.kind,
  percent_off: coupon.percent_off ?? null,
  amount_off_cents: coupon.amount_off_cents ?? null,
  duration: coupon.duration,
  duration_in_periods: coupon.duration_in_periods ?? null,
  valid_from: coupon.valid_from.toISOString(),
  valid_until: coupon.valid_until?.toISOString() ?? null,
});

/**
 * Coupons: defined by the platform operator (its BILLING_OPERATOR_TOKEN) beside the repository's, and
 * redeemed on an organization's subscription by its billing managers (docs/billing.md, Discounts).
 */
export function discountRoutes(service: BillingService) {
  const { inAccount } = routeGuards(service);
  const { subscriptions, coupons } = service;
  const base = "/v1/organizations/:accountId/subscription/discounts";
  const operator = operatorOnly(service.config.BILLING_OPERATOR_TOKEN);
  // The operator's keys in a scope of their own, claimed only once the operator's token is checked.
  const operatorKeys = idempotent(service.idempotency, () => "platform");
  return (router: Router) => {
    router.post("/v1/billing/coupons", operator, operatorKeys, async (req, res) => {
      const body = parseBody(defineCouponBody, req.body);
      const coupon = await coupons.define(
        { ...body, valid_from: body.valid_from, valid_until: body.valid_until ?? null },
        { type: "operator", id: null, ip_address: req.ip ?? null, user_agent: req.get("user-agent") ?? null },
      );
      res.status(201).json(couponJson(coupon));
    });
    router.get("/v1/billing/coupons", operator, async (_req, res) => {
      res.json({ data: (await coupons.list()).map(couponJson) });
    });
    router.post(base, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(applyDiscountBody, req.body);
      const coupon = await coupons.find(body.coupon);
      if (!coupon)
        throw new InvalidInputError("unknown_coupon", `there is no coupon ${body.coupon}`, {
          details: { coupon: body.coupon },
        });
      res.json(subscriptionJson(await subscriptions.applyCoupon(account(req), coupon, who(req, res))));
    });
    router.delete(`${base}/:discountId`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(removeDiscountBody, req.body ?? {});
      const removed = await subscriptions.removeDiscount(
        account(req),
        param(req, "discountId"),
        body.reason ?? null,
        who(req, res),
      );
      res.json(subscriptionJson(removed));
    });
  };
}

/**
 * Test clocks, served only where BILLING_TEST_CLOCKS is on (docs/billing.md, Test clocks). A clock
 * belongs to the organization that created it: each organization tests its own integration, with the
 * permissions it bills with (billing.read to see, billing.manage to change), and no other sees it.
 */
export function testClockRoutes(service: BillingService) {
  const { inAccount } = routeGuards(service);
  const { testClocks, subscriptions } = service;
  const base = "/v1/organizations/:accountId/test-clocks";
  const clockId = (req: Request) => param(req, "clockId");
  const answer = async (accountId: string, row: Parameters<typeof testClockJson>[0]) =>
    testClockJson(row, row.status !== "deleted" && (await testClocks.pending(accountId, row)));

  return (router: Router) => {
    router.post(base, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(createTestClockBody, req.body);
      const options = { name: body.name ?? null, frozenTime: body.frozen_time };
      const created = await testClocks.create(account(req), options, who(req, res));
      res.status(201).json(await answer(account(req), created));
    });
    router.get(base, ...inAccount(BILLING_READ), async (req, res) => {
      const rows = await testClocks.list(account(req));
      res.json({ data: await Promise.all(rows.map((row) => answer(account(req), row))) });
    });
    router.get(`${base}/:clockId`, ...inAccount(BILLING_READ), async (req, res) => {
      res.json(await answer(account(req), await testClocks.get(account(req), clockId(req))));
    });
    router.post(`${base}/:clockId/advance`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      const body = parseBody(advanceTestClockBody, req.body);
      const { clock, steps } = await testClocks.advance(
        account(req),
        clockId(req),
        body.frozen_time,
        who(req, res),
      );
      res.json({ ...(await answer(account(req), clock)), steps });
    });
    router.post(`${base}/:clockId/attach`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      res.json(
        subscriptionJson(await subscriptions.attachTestClock(account(req), clockId(req), who(req, res))),
      );
    });
    router.delete(`${base}/:clockId`, ...inAccount(BILLING_MANAGE), async (req, res) => {
      res.json(
        await answer(account(req), await testClocks.delete(account(req), clockId(req), who(req, res))),
      );
    });
  };
}
