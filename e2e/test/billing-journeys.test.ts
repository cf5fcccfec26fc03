/**
 * billing's journeys that change an organization at tenancy, through the running services and Kafka
 * only, each moved through the weeks by a test clock (billing as `platform test` starts it, with
 * BILLING_TEST_CLOCKS=true): dunning — a card with insufficient funds at the trial's conversion, the
 * retries, suspension on day 7 (tenancy suspends the organization), then the invoice paid with a good
 * card (tenancy reactivates it); and the end of a subscription canceled at its period's end (tenancy's
 * seat limit falls to the no-plan limit) and a new subscription that gives the plan's seats back.
 */
import { uniqueName } from "@platform/testkit";
import { billingOf, DAY_MS, onTestClock, organizationWhen, traitsWhen } from "./support/billing";
import { billingUrl, call, ensureRunning, organizationOf, signUp } from "./support/platform";

beforeAll(async () => {
  await ensureRunning("identity", "tenancy", "billing");
});

async function newOrganization(name: string) {
  const owner = await signUp(`${uniqueName("journey-owner")}@example.com`);
  return organizationOf(owner, name);
}

it("suspends the organization at tenancy on day 7 of a declined conversion, and reactivates it once paid", async () => {
  const { accountId, token } = await newOrganization("E2E Dunning");
  const billing = billingOf(accountId, token);
  const { trial, advance } = await onTestClock(accountId, token);
  await billing.request("POST", "/subscription/payment-method", {
    payment_method_id: "pm_card_chargeDeclinedInsufficientFunds",
  });
  const conversion = Date.parse(trial.trial_end);

  // The conversion's charge fails (day 0), the retries on days 3 and 6 too; day 7 suspends.
  await advance(conversion + 7 * DAY_MS + 60_000);
  const suspended = await billing.subscription();
  expect([suspended.status, suspended.past_due_since]).toEqual([
    "suspended",
    new Date(conversion).toISOString(),
  ]);
  const [invoice] = await billing.invoices();
  expect(invoice).toMatchObject({ billing_reason: "subscription_create", status: "uncollectible" });
  expect(
    invoice.payments.map((p: { status: string; failure_code: string }) => [p.status, p.failure_code]),
  ).toEqual([
    ["failed", "insufficient_funds"],
    ["failed", "insufficient_funds"],
    ["failed", "insufficient_funds"],
  ]);
  await organizationWhen(
    accountId,
    token,
    (o) => o.status === "suspended",
    "tenancy to suspend the organization",
  );

  // Paid with a good card: billing reactivates the subscription, and tenancy the organization.
  const paid = await billing.request("POST", `/invoices/${invoice.invoice_id}/pay`, {
    payment_method_id: "pm_card_visa",
  });
  expect([paid.status, paid.amount_due_cents]).toEqual(["paid", 0]);
  expect((await billing.subscription()).status).toBe("active");
  await organizationWhen(
    accountId,
    token,
    (o) => o.status === "active",
    "tenancy to reactivate the organization",
  );

  // Paying it again is refused with problem+json, and changes nothing at tenancy.
  const again = await call(
    billingUrl,
    "POST",
    `/v1/organizations/${accountId}/invoices/${invoice.invoice_id}/pay`,
    {
      token,
      body: { payment_method_id: "pm_card_visa" },
    },
  );
  expect([again.status, again.body.code]).toEqual([409, "invoice_already_paid"]);
}, 120_000);

it("drops tenancy's seat limit when a canceled subscription ends, and restores it on a new subscription", async () => {
  const { accountId, token } = await newOrganization("E2E Resubscribe");
  const billing = billingOf(accountId, token);
  const { trial, advance } = await onTestClock(accountId, token);
  await billing.request("POST", "/subscription/payment-method", { payment_method_id: "pm_card_visa" });
  const conversion = Date.parse(trial.trial_end);
  await advance(conversion + DAY_MS);
  const paying = await billing.subscription();
  expect(paying.status).toBe("active");
  await traitsWhen(accountId, token, (t) => t.plan === "professional" && t.seat_limit === 25);

  // Canceled at the period's end: still served until then, then ended, and tenancy is back to no plan.
  const canceled = await billing.request("POST", "/subscription/cancel", { at_period_end: true });
  expect([canceled.status, canceled.ends_at]).toEqual(["canceled", paying.current_period_end]);
  await advance(Date.parse(paying.current_period_end) + 60_000);
  expect((await billing.subscription()).status).toBe("ended");
  const ended = await traitsWhen(
    accountId,
    token,
    (t) => t.seat_limit === 5,
    "tenancy to drop to the no-plan seat limit",
  );
  expect(ended.seat_limit).toBe(5);

  // Subscribing again to an unknown plan is refused; to the plan, with a card, its seats return.
  const unknown = await call(billingUrl, "POST", `/v1/organizations/${accountId}/subscription`, {
    token,
    body: { plan_id: "platinum" },
  });
  expect([unknown.status, unknown.body.code]).toEqual([400, "unknown_plan"]);
  const again = await billing.request("POST", "/subscription", {
    plan_id: "professional",
    payment_method: { payment_method_id: "pm_card_visa" },
  });
  expect([again.status, again.plan.plan_id]).toEqual(["active", "professional"]);
  await traitsWhen(
    accountId,
    token,
    (t) => t.plan === "professional" && t.seat_limit === 25,
    "tenancy to restore the plan's seat limit",
  );
  await organizationWhen(
    accountId,
    token,
    (o) => o.status === "active",
    "tenancy to keep the organization active",
  );
  const twice = await call(billingUrl, "POST", `/v1/organizations/${accountId}/subscription`, {
    token,
    body: { plan_id: "professional" },
  });
  expect([twice.status, twice.body.code]).toEqual([409, "subscription_exists"]);
}, 120_000);
