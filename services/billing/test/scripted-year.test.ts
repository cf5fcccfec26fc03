/**
 * The proof of issue #12: one organization through a scripted year on a test clock, in seconds, every
 * invoice checked line by line against a table computed by hand. Against real Kafka, registry and
 * Postgres, through the HTTP API as a customer's integration would drive it; usage's closed periods are
 * published on usage's topic as the usage service will.
 *
 * The organization is created on Jan 1, 2027 (the trial starts then, a few milliseconds after midnight
 * by the service's clock); its clock is frozen at the trial's start. Periods are anchored on the
 * trial's end, Jan 15, and start on the 15th of each month (P0 = Jan 15 … P12 = Jan 15, 2028).
 *
 * | when            | what                                                             | invoice                                            |
 * | --------------- | ---------------------------------------------------------------- | -------------------------------------------------- |
 * | Jan 1           | trial (Professional), card on file, coupon WELCOME50 ($50, once) |                                                    |
 * | Jan 15 (P0)     | trial converts                                                   | 1: $199.00 − $50.00 = **$149.00**                  |
 * | Jan 15 – Feb 15 | usage: 112,500 API calls, 130 GB (Professional: 100,000, 100 GB)  |                                                    |
 * | Feb 15 (P1)     | renewal                                                          | 2: $199.00 + 30 GB × $0.40 + 13 × $4.00 = **$263.00** |
 * | Feb 25          | upgrade to Enterprise, 18 of the period's 28 days unused          | 3: −$199 × 18/28 = −$127.93, +$999 × 18/28 = +$642.21: **$514.28** (its lines from Feb 25 to Mar 15) |
 * | Mar 15 (P2)     | renewal (no usage close: finalized after the hour's grace)       | 4: **$999.00**                                     |
 * | Apr 1           | the card on file becomes one with insufficient funds             |                                                    |
 * | Apr 15 (P3)     | renewal: the charge fails → past due; retries after 3 and 6 days fail; suspended on day 7 | 5: **$999.00**, uncollectible |
 * | Apr 25          | paid with a good card → reactivated                              | 5: paid (attempt 4)                                |
 * | Apr 15 – May 15 | usage: 1,250,000 API calls, 1,100 GB (Enterprise: 1,000,000, 1,000 GB) |                                              |
 * | May 15 (P4)     | renewal                                                          | 6: $999.00 + 100 GB × $0.25 + 250 × $2.00 = **$1,524.00** |
 * | May 20          | downgrade to Starter, scheduled for the period's end             |                                                    |
 * | Jun 15 (P5)     | the downgrade applies at the renewal                             | 7: **$49.00**                                      |
 * | Jul 15, Aug 15  | renewals                                                         | 8, 9: **$49.00** each                              |
 * | Aug 20          | canceled at the period's end                                     |                                                    |
 * | Sep 15 (P8)     | the subscription ends                                            | none                                               |
 * | → Jan 1, 2028   | nothing more                                                     | none                                               |
 */
import { UsageEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import { TEST_PAYMENT_METHODS as PM } from "../src/app/payments/test-provider";
import { addDays, periodAt } from "../src/domain/periods";
import { type Harness, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling({ BILLING_TEST_CLOCKS: "true" });
});
afterAll(() => h?.close());

type Line = [kind: string, metric: string | null, quantity: number, amountCents: number];
interface Expected {
  reason: "subscription_create" | "subscription_cycle" | "subscription_update";
  status: "paid";
  subtotal: number;
  discount: number;
  total: number;
  lines: Line[];
  /** The period the invoice's base fee (or proration) is for: P<index>, or the upgrade's own. */
  period: [number, number] | null;
  attempts: number;
}

it("runs a year: trial, conversion, overages, upgrade, failed payment, suspension, payment, reactivation, downgrade, cancellation", async () => {
  // The organization is born on Jan 1, 2027, by the service's clock.
  h.clock.advance(new Date("2027-01-01T00:00:00Z").getTime() - h.clock.now().getTime());
  const { accountId, subscription } = await h.organization("Year Corp");
  const start = subscription.currentPeriodStart;
  const P = (k: number) => periodAt(addDays(start, 14), "month", k).start;
  const token = () => h.token(accountId);
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await h.call(method, `/v1/organizations/${accountId}${path}`, {
      token: await token(),
      body,
    });
    if (answer.status >= 300)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  const clock = await call("POST", "/test-clocks", { frozen_time: start.toISOString(), name: "a year" });
  const advance = (to: Date) =>
    call("POST", `/test-clocks/${clock.test_clock_id}/advance`, { frozen_time: to.toISOString() });
  const status = async () => (await call("GET", "/subscription")).status;
  /** usage's UsagePeriodClosed for period [P(k), P(k+1)), projected before the renewal that bills it. */
  const usage = async (k: number, totals: Record<string, number>) => {
    const periodStart = P(k);
    await h.publish(
      "usage",
      UsageEvent.UsagePeriodClosed,
      `usage-period:${subscription.id}:${periodStart.getTime()}`,
      {
        account_id: accountId,
        subscription_id: subscription.id,
        period_start: periodStart.getTime(),
        period_end: P(k + 1).getTime(),
        totals,
        limits: {},
      },
    );
    await waitFor(
      () =>
        inTenant(h.service.db, accountId, (tx) =>
          tx.usagePeriod.findUnique({
            where: { subscriptionId_periodStart: { subscriptionId: subscription.id, periodStart } },
          }),
        ).then((row) => row ?? undefined),
      { what: `usage of period ${k} to be projected` },
    );
  };

  // Jan 1: the trial, attached to the clock, with a card and a coupon.
  await call("POST", `/test-clocks/${clock.test_clock_id}/attach`);
  await call("POST", "/subscription/payment-method", { payment_method_id: PM.succeeds });
  await call("POST", "/subscription/discounts", { coupon: "WELCOME50" });

  await advance(P(0));
  expect(await status()).toBe("active");
  await usage(0, { api_calls: 112_500, storage_gb: 130, users: 12 });
  await advance(P(1));
  await advance(addDays(P(1), 10));
  await call("POST", "/subscription/upgrade", { plan_id: "enterprise" });
  await advance(addDays(P(2), 17)); // Apr 1
  await call("POST", "/subscription/payment-method", { payment_method_id: PM.insufficientFunds });
  await advance(addDays(P(3), 8));
  expect(await status()).toBe("suspended");
  await advance(addDays(P(3), 10));
  const paying = (await call("GET", "/invoices")).data.find(
    (i: { status: string }) => i.status === "uncollectible",
  );
  await call("POST", `/invoices/${paying.invoice_id}/pay`, { payment_method_id: PM.succeeds });
  expect(await status()).toBe("active");
  await usage(3, { api_calls: 1_250_000, storage_gb: 1_100, users: 40 });
  await advance(P(4));
  await advance(addDays(P(4), 5));
  await call("POST", "/subscription/downgrade", { plan_id: "starter" });
  await advance(addDays(P(7), 5));
  await call("POST", "/subscription/cancel", { at_period_end: true });
  await advance(new Date("2028-01-01T00:00:00Z"));

  const subscriptionNow = await call("GET", "/subscription");
  expect(subscriptionNow).toMatchObject({ status: "ended", ends_at: P(8).toISOString(), mrr_cents: 0 });

  const upgradeAt = addDays(P(1), 10);
  const expected: Expected[] = [
    {
      reason: "subscription_create",
      status: "paid",
      subtotal: 19_900,
      discount: 5_000,
      total: 14_900,
      period: [0, 1],
      attempts: 1,
      lines: [
        ["base", null, 1, 19_900],
        ["discount", null, 1, -5_000],
      ],
    },
    {
      reason: "subscription_cycle",
      status: "paid",
      subtotal: 26_300,
      discount: 0,
      total: 26_300,
      period: [1, 2],
      attempts: 1,
      lines: [
        ["base", null, 1, 19_900],
        ["overage", "storage_gb", 30, 1_200],
        ["overage", "api_calls", 13, 5_200],
      ],
    },
    {
      reason: "subscription_update",
      status: "paid",
      subtotal: 51_428,
      discount: 0,
      total: 51_428,
      period: null,
      attempts: 1,
      lines: [
        ["proration", null, 1, -12_793],
        ["proration", null, 1, 64_221],
      ],
    },
    {
      reason: "subscription_cycle",
      status: "paid",
      subtotal: 99_900,
      discount: 0,
      total: 99_900,
      period: [2, 3],
      attempts: 1,
      lines: [["base", null, 1, 99_900]],
    },
    {
      reason: "subscription_cycle",
      status: "paid",
      subtotal: 99_900,
      discount: 0,
      total: 99_900,
      period: [3, 4],
      attempts: 4,
      lines: [["base", null, 1, 99_900]],
    },
    {
      reason: "subscription_cycle",
      status: "paid",
      subtotal: 152_400,
      discount: 0,
      total: 152_400,
      period: [4, 5],
      attempts: 1,
      lines: [
        ["base", null, 1, 99_900],
        ["overage", "storage_gb", 100, 2_500],
        ["overage", "api_calls", 250, 50_000],
      ],
    },
    ...[5, 6, 7].map(
      (k): Expected => ({
        reason: "subscription_cycle",
        status: "paid",
        subtotal: 4_900,
        discount: 0,
        total: 4_900,
        period: [k, k + 1],
        attempts: 1,
        lines: [["base", null, 1, 4_900]],
      }),
    ),
  ];

  const summaries = (await call("GET", "/invoices")).data as { invoice_id: string }[];
  const invoices = await Promise.all(
    [...summaries].reverse().map((i) => call("GET", `/invoices/${i.invoice_id}`)),
  );
  const actual = invoices.map((invoice): Expected & { number: string } => ({
    number: invoice.number,
    reason: invoice.billing_reason,
    status: invoice.status,
    subtotal: invoice.subtotal_cents,
    discount: invoice.discount_cents,
    total: invoice.total_cents,
    period:
      invoice.billing_reason === "subscription_update"
        ? null
        : ([0, 1, 2, 3, 4, 5, 6, 7, 8].flatMap((k) =>
            invoice.period_start === P(k).toISOString() && invoice.period_end === P(k + 1).toISOString()
              ? [k, k + 1]
              : [],
          ) as [number, number]),
    attempts: invoice.attempts,
    lines: invoice.lines.map(
      (l: { kind: string; metric: string | null; quantity: number; amount_cents: number }) => [
        l.kind,
        l.metric,
        l.quantity,
        l.amount_cents,
      ],
    ),
  }));
  expect(actual).toEqual(
    expected.map((e, i) => ({ ...e, number: `INV-2027-${String(i + 1).padStart(6, "0")}` })),
  );
  // Every invoice adds up: lines to the total, the total paid in full.
  for (const invoice of invoices) {
    expect(invoice.lines.reduce((sum: number, l: { amount_cents: number }) => sum + l.amount_cents, 0)).toBe(
      invoice.total_cents,
    );
    expect(invoice).toMatchObject({ paid_cents: invoice.total_cents, amount_due_cents: 0 });
  }
  // The upgrade's invoice is in the period it happened in; its lines are for the rest of it from the upgrade.
  expect(invoices[2]).toMatchObject({ period_start: P(1).toISOString(), period_end: P(2).toISOString() });
  expect(
    invoices[2].lines.map((l: { period_start: string; period_end: string }) => [
      l.period_start,
      l.period_end,
    ]),
  ).toEqual([
    [upgradeAt.toISOString(), P(2).toISOString()],
    [upgradeAt.toISOString(), P(2).toISOString()],
  ]);
  // The overages in arrears name their month.
  expect(invoices[1].lines[1]).toMatchObject({
    period_start: P(0).toISOString(),
    period_end: P(1).toISOString(),
  });
  expect(invoices[5].lines[2]).toMatchObject({
    period_start: P(3).toISOString(),
    period_end: P(4).toISOString(),
  });
  // The failed payment: three declines (the charge, day 3, day 6), then the good card.
  expect(
    invoices[4].payments.map((p: { status: string; failure_code: string | null }) => [
      p.status,
      p.failure_code,
    ]),
  ).toEqual([
    ["failed", "insufficient_funds"],
    ["failed", "insufficient_funds"],
    ["failed", "insufficient_funds"],
    ["succeeded", null],
  ]);

  // The subscription's story, in order, each at its moment of the clock.
  const events = await h.service.db.$transaction((tx) => h.service.store.load(tx, subscription.id));
  const story = events.map((e) => e.type.replace("platform.billing.", ""));
  expect(story).toEqual([
    "TrialStarted",
    "TestClockAttached",
    "PaymentMethodAttached",
    "DiscountApplied",
    "TrialWillEnd",
    "TrialEnded",
    "DiscountRedeemed",
    "SubscriptionRenewed",
    "SubscriptionUpgraded",
    "SubscriptionRenewed",
    "PaymentMethodAttached",
    "SubscriptionRenewed",
    "SubscriptionPastDue",
    "SubscriptionSuspended",
    "PaymentMethodAttached",
    "SubscriptionReactivated",
    "SubscriptionRenewed",
    "DowngradeScheduled",
    "SubscriptionDowngraded",
    "SubscriptionRenewed",
    "SubscriptionRenewed",
    "SubscriptionRenewed",
    "SubscriptionCanceled",
    "SubscriptionEnded",
  ]);
  const times = events.map((e) => e.occurredAt.getTime());
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  expect(events.at(-1)?.occurredAt).toEqual(P(8));
}, 120_000);
