/**
 * Coupons applied to subscriptions through the HTTP API, against real Kafka, registry and Postgres
 * (docs/billing.md, Discounts): each change is an event of the subscription, the discounts are in its
 * state as invoicing composes them, and bad input answers problem+json with a stable code.
 */
import { stateOfRow } from "../src/app/subscription-state";
import { composeInvoice } from "../src/domain/invoices";
import { discountsOf } from "../src/domain/subscription-discounts";
import { type Harness, startBilling } from "./support/harness";

const OPERATOR = "operator-token-for-the-discounts-test-0123456789";
let h: Harness;
beforeAll(async () => {
  h = await startBilling({ BILLING_OPERATOR_TOKEN: OPERATOR });
});
afterAll(() => h?.close());

const discounts = (accountId: string, tail = "") =>
  `/v1/organizations/${accountId}/subscription/discounts${tail}`;
const refusal = (answer: { status: number; body: { code?: string } }) => ({
  status: answer.status,
  code: answer.body.code,
});

async function eventTypes(subscriptionId: string) {
  const events = await h.service.db.$transaction((tx) => h.service.store.load(tx, subscriptionId));
  return events.map((event) => event.type.replace("platform.billing.", ""));
}

describe("applying a coupon", () => {
  it("adds the catalog's discount to the subscription, as an event, for its next invoices", async () => {
    const { accountId, subscription } = await h.organization("Coupon Co");
    const token = await h.token(accountId);
    const applied = await h.call("POST", discounts(accountId), { token, body: { coupon: "launch20" } });
    expect(applied.status).toBe(200);
    expect(applied.body.discounts).toEqual([
      {
        discount_id: "LAUNCH20",
        kind: "percent",
        percent_off: "20",
        amount_off_cents: null,
        duration: "repeating",
        duration_in_periods: 3,
        applied_at: expect.any(String),
        invoices_discounted: 0,
        active: true,
      },
    ]);
    await h.call("POST", discounts(accountId), { token, body: { coupon: "WELCOME50" } });
    expect(await eventTypes(subscription.id)).toEqual(["TrialStarted", "DiscountApplied", "DiscountApplied"]);

    // Invoicing's view: the state's discounts, stacked in the order applied ($199 − 20% − $50).
    const state = stateOfRow(await h.service.subscriptions.get(accountId));
    const base = {
      kind: "base" as const,
      description: "Professional (monthly)",
      metric: null,
      quantity: 1,
      unit_price: "199.00",
      amount_cents: 19_900,
      period_start: state.currentPeriodEnd,
      period_end: state.currentPeriodEnd,
    };
    const draft = composeInvoice([base], discountsOf(state), state.currentPeriodEnd);
    expect(draft).toMatchObject({ total_cents: 10_920, discounts_used: ["LAUNCH20", "WELCOME50"] });

    // The invoice issued, its discounts redeemed: the once-only one is spent, the other has two to go.
    const redeemed = await h.service.subscriptions.redeemDiscounts(
      accountId,
      "in_test",
      draft.discounts_used,
    );
    expect(
      stateOfRow(redeemed).discounts.map((d) => [d.discount.discount_id, d.invoices_discounted]),
    ).toEqual([
      ["LAUNCH20", 1],
      ["WELCOME50", 1],
    ]);
    const shown = await h.call("GET", `/v1/organizations/${accountId}/subscription`, { token });
    expect(shown.body.discounts.map((d: { active: boolean }) => d.active)).toEqual([true, false]);
  });

  it("removes a discount, once", async () => {
    const { accountId, subscription } = await h.organization("Removal BV");
    const token = await h.token(accountId);
    await h.call("POST", discounts(accountId), { token, body: { coupon: "PARTNER10" } });
    const removed = await h.call("DELETE", discounts(accountId, "/PARTNER10"), {
      token,
      body: { reason: "partnership over" },
    });
    expect(removed.body.discounts).toEqual([]);
    expect(refusal(await h.call("DELETE", discounts(accountId, "/PARTNER10"), { token }))).toEqual({
      status: 404,
      code: "discount_not_found",
    });
    expect((await eventTypes(subscription.id)).slice(-2)).toEqual(["DiscountApplied", "DiscountRemoved"]);
  });

  it("refuses bad input with a stable code and writes nothing", async () => {
    const { accountId, subscription } = await h.organization("Bad Input Ltd");
    const token = await h.token(accountId);
    await h.call("POST", discounts(accountId), { token, body: { coupon: "LAUNCH20" } });
    const cases: [unknown, number, string][] = [
      [{ coupon: "LAUNCH20" }, 409, "discount_already_applied"],
      [{ coupon: "FREEFOREVER" }, 400, "unknown_coupon"],
      // SUMMER2026 was redeemable June to August 2026.
      [{ coupon: "SUMMER2026" }, 409, "coupon_expired"],
      [{ coupon: 100 }, 400, "invalid_request_body"],
      [{ coupon: "a" }, 400, "invalid_request_body"],
      [{ coupon: "LAUNCH20", percent_off: "150" }, 400, "invalid_request_body"],
      [{}, 400, "invalid_request_body"],
    ];
    for (const [body, status, code] of cases)
      expect({ body, ...refusal(await h.call("POST", discounts(accountId), { token, body })) }).toEqual({
        body,
        status,
        code,
      });
    expect(await eventTypes(subscription.id)).toEqual(["TrialStarted", "DiscountApplied"]);
  });

  it("needs billing.manage in the organization itself", async () => {
    const { accountId } = await h.organization("Guarded Inc");
    const other = await h.organization("Intruder Inc");
    const asAdmin = await h.call("POST", discounts(accountId), {
      token: await h.token(accountId, "admin"),
      body: { coupon: "LAUNCH20" },
    });
    expect(refusal(asAdmin)).toEqual({ status: 403, code: "permission_denied" });
    const asOther = await h.call("POST", discounts(accountId), {
      token: await h.token(other.accountId),
      body: { coupon: "LAUNCH20" },
    });
    expect(refusal(asOther)).toEqual({ status: 403, code: "account_mismatch" });
    expect((await h.service.subscriptions.get(accountId)).discounts).toEqual([]);
  });

  it("the operator defines coupons; bad terms are refused with discount_invalid, naming each problem", async () => {
    const define = (body: Record<string, unknown>, token = OPERATOR) =>
      h.call("POST", "/v1/billing/coupons", { token, body });
    const spring = {
      coupon_id: "SPRING25",
      name: "Spring: 25% off the next invoice",
      kind: "percent",
      percent_off: "25",
      duration: "once",
      valid_from: "2026-01-01T00:00:00Z",
      valid_until: null,
    };
    const defined = await define(spring);
    expect(defined.status).toBe(201);
    expect(defined.body).toMatchObject({ coupon_id: "SPRING25", percent_off: "25", amount_off_cents: null });

    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: "amount", percent_off: undefined, amount_off_cents: -500 }, /amount_off_cents/],
      [{ kind: "amount", percent_off: undefined, amount_off_cents: 100_000_001 }, /amount_off_cents/],
      [{ percent_off: "150" }, /percent_off/],
      [{ valid_until: "2025-06-01T00:00:00Z" }, /valid_until/],
      [{ duration: "repeating" }, /duration_in_periods/],
      [{ coupon_id: "lower case" }, /coupon id/],
    ];
    for (const [change, problem] of cases) {
      const answer = await define({ ...spring, coupon_id: "BAD_ONE", ...change });
      expect(refusal(answer)).toEqual({ status: 400, code: "discount_invalid" });
      expect(answer.body.problems.join("; ")).toMatch(problem);
    }
    for (const taken of ["SPRING25", "LAUNCH20"])
      expect(refusal(await define({ ...spring, coupon_id: taken }))).toEqual({
        status: 409,
        code: "coupon_exists",
      });

    // Only the operator: nobody without the token, no organization's owner.
    const { accountId } = await h.organization("Spring Co");
    const token = await h.token(accountId);
    expect(refusal(await h.call("POST", "/v1/billing/coupons", { body: spring }))).toMatchObject({
      status: 401,
    });
    expect(refusal(await define({ ...spring, coupon_id: "MINE" }, token))).toEqual({
      status: 403,
      code: "operator_only",
    });
    const listed = await h.call("GET", "/v1/billing/coupons", { token: OPERATOR });
    expect(listed.body.data.map((c: { coupon_id: string }) => c.coupon_id)).toEqual([
      "LAUNCH20",
      "WELCOME50",
      "PARTNER10",
      "SUMMER2026",
      "SPRING25",
    ]);

    // An organization redeems the operator's coupon like the repository's.
    const applied = await h.call("POST", discounts(accountId), { token, body: { coupon: "spring25" } });
    expect(applied.body.discounts).toMatchObject([
      { discount_id: "SPRING25", percent_off: "25", duration: "once" },
    ]);
  });

  it("test clocks are not served where the configuration leaves them off", async () => {
    const { accountId } = await h.organization("No Clocks");
    const answer = await h.call("POST", `/v1/organizations/${accountId}/test-clocks`, {
      token: await h.token(accountId),
      body: { frozen_time: new Date().toISOString() },
    });
    expect(answer.status).toBe(404);
  });

  it("refuses a coupon on a subscription that has ended", async () => {
    const { accountId } = await h.organization("Lapsed Coupon");
    h.clock.advance(15 * 86_400_000);
    await h.service.runScheduler();
    const answer = await h.call("POST", discounts(accountId), {
      token: await h.token(accountId),
      body: { coupon: "LAUNCH20" },
    });
    expect(refusal(answer)).toEqual({ status: 409, code: "subscription_ended" });
  });
});
