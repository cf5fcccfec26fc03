/**
 * usage → billing through the running services and Kafka only: an organization on a test clock converts
 * to Professional, reports API calls over the plan's limit in its first paid period through usage's HTTP
 * API, and the clock moves past the period's end and grace. usage follows the clock's time from billing's
 * TestClockAdvanced (docs/usage.md, "Test clocks"): it takes the period's events, which lie weeks past
 * the wall clock, closes the period when the clock passes its grace, and billing invoices the overage at
 * the plan's price in services/billing/catalog/plans.json. Events sent three times in shuffled batches
 * are billed as those sent once (issue #13), and a subscription's last period, ended by a cancellation
 * now or at the period's end, is closed where the subscription ended and its overage invoiced on its own.
 */
import { uniqueName } from "@platform/testkit";
import { ensureRunning } from "./support/platform";
import {
  cents,
  HOUR_MS,
  type Line,
  overageLines,
  overageLinesWhenBilled,
  payingOnClock,
  type UsageEventBody,
  usageOf,
} from "./support/usage";

beforeAll(async () => {
  await ensureRunning("identity", "tenancy", "billing", "usage");
});

/** Package pricing: the packages started over the limit, at the plan's package price. */
function overageCents(total: number, limit: number, charge: { package_size: number; package_price: string }) {
  return Math.ceil(Math.max(0, total - limit) / charge.package_size) * cents(charge.package_price);
}

/** The invoice holding the overage lines, once it is paid (a late one is charged at the next due step). */
async function paidOverageInvoice(
  org: Awaited<ReturnType<typeof payingOnClock>>,
  billedAt: number,
  what: string,
) {
  const [billed] = await overageLinesWhenBilled(org.billing, what);
  if (billed?.status === "draft") await org.advance(billedAt + HOUR_MS);
  const invoice = await org.billing.request("GET", `/invoices/${billed?.invoice_id}`);
  expect(invoice).toMatchObject({ status: "paid", amount_due_cents: 0 });
  expect(invoice.total_cents).toBe(
    (invoice.lines as Line[]).reduce((sum, line) => sum + line.amount_cents, 0) - invoice.discount_cents,
  );
  return invoice;
}

it("invoices the API calls over the plan's limit once usage closes the period at the clock's time", async () => {
  const org = await payingOnClock("E2E Usage Overage", `${uniqueName("overage-owner")}@example.com`);
  const { accountId, periodStart, periodEnd, plan } = org;
  const limit = plan.limits.api_calls as number;
  const charge = plan.charges.api_calls;
  expect(charge?.model).toBe("package");
  const packageSize = charge?.package_size as number;
  // Two and a half packages over the limit: three started packages.
  const over = 2 * packageSize + packageSize / 2;
  const expectedCents = 3 * cents(charge?.package_price as string);

  const usage = await usageOf(accountId, org.token);
  const events = [
    {
      metric: "api_calls",
      quantity: limit / 2,
      idempotency_key: "first-half",
      timestamp: periodStart + 10 * 60_000,
    },
    {
      metric: "api_calls",
      quantity: limit / 2,
      idempotency_key: "second-half",
      timestamp: periodStart + 20 * 60_000,
    },
    { metric: "api_calls", quantity: over, idempotency_key: "over", timestamp: periodStart + 30 * 60_000 },
  ];
  // Weeks past the wall clock, within an hour of the clock: accepted once usage has read the clock's advance.
  await usage.reportOnClock(events);
  const tooFar = await usage.report(
    { metric: "api_calls", quantity: 1, idempotency_key: "too-far", timestamp: periodStart + 2 * HOUR_MS },
    "/usage",
  );
  expect([tooFar.status, tooFar.body.code]).toEqual([400, "timestamp_in_future"]);
  // Counted before the clock moves on (what the count has not applied when the period closes is late).
  await usage.counted("api_calls", periodStart, periodStart + HOUR_MS, limit + over);

  // Past the period's end and both graces (usage's close, billing's wait for it): renewal, then the close.
  await org.advance(periodEnd + 2 * HOUR_MS);
  const [billed] = await overageLinesWhenBilled(org.billing, "billing to invoice usage's closed period");
  expect(billed?.line).toMatchObject({
    metric: "api_calls",
    quantity: 3,
    unit_price: charge?.package_price,
    amount_cents: expectedCents,
    period_start: new Date(periodStart).toISOString(),
    period_end: new Date(periodEnd).toISOString(),
  });
  // An invoice of late usage is finalized and charged at the organization's next due step: the clock's.
  await paidOverageInvoice(org, periodEnd + 2 * HOUR_MS, "billing to invoice usage's closed period");
  expect(await overageLines(org.billing)).toHaveLength(1); // billed once

  // The period is closed at usage: a late event for it is refused.
  const late = await usage.report(
    { metric: "api_calls", quantity: 1, idempotency_key: "late", timestamp: periodStart + HOUR_MS },
    "/usage",
  );
  expect([late.status, late.body.code]).toEqual([409, "period_closed"]);
}, 180_000);

/** A fixed permutation (a seeded Fisher–Yates), so a failure replays in the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

it("bills the same overage for events sent three times in shuffled batches as for events sent once (issue #13)", async () => {
  const [once, thrice] = await Promise.all([
    payingOnClock("E2E Usage Once", `${uniqueName("once-owner")}@example.com`),
    payingOnClock("E2E Usage Thrice", `${uniqueName("thrice-owner")}@example.com`),
  ]);
  expect(thrice.plan).toEqual(once.plan);
  const limit = once.plan.limits.api_calls as number;
  const charge = once.plan.charges.api_calls as { package_size: number; package_price: string };
  // Twelve events over a quarter of an hour, together a limit and three and a half packages: four packages.
  const quantities = Array.from({ length: 12 }, (_, i) =>
    i < 10 ? limit / 10 : (7 * charge.package_size) / 4,
  );
  const total = quantities.reduce((sum, q) => sum + q, 0);
  const expectedCents = overageCents(total, limit, charge);
  expect(expectedCents).toBe(4 * cents(charge.package_price));
  const eventsOf = (periodStart: number): UsageEventBody[] =>
    quantities.map((quantity, i) => ({
      metric: "api_calls",
      quantity,
      idempotency_key: `call-${i}`,
      timestamp: periodStart + (i + 1) * 60_000,
    }));

  const usageOnce = await usageOf(once.accountId, once.token);
  await usageOnce.reportOnClock(eventsOf(once.periodStart));
  const usageThrice = await usageOf(thrice.accountId, thrice.token);
  const threeTimes = shuffled(
    [1, 2, 3].flatMap(() => eventsOf(thrice.periodStart)),
    13,
  );
  for (let i = 0; i < threeTimes.length; i += 7) await usageThrice.reportOnClock(threeTimes.slice(i, i + 7));
  await usageOnce.counted("api_calls", once.periodStart, once.periodStart + HOUR_MS, total);
  await usageThrice.counted("api_calls", thrice.periodStart, thrice.periodStart + HOUR_MS, total);

  await Promise.all([once, thrice].map((org) => org.advance(org.periodEnd + 2 * HOUR_MS)));
  const invoices = await Promise.all(
    [once, thrice].map((org) =>
      paidOverageInvoice(org, org.periodEnd + 2 * HOUR_MS, "billing to invoice the period's overage"),
    ),
  );
  const overages = invoices.map((invoice) =>
    (invoice.lines as Line[])
      .filter((line) => line.kind === "overage")
      .map(({ metric, quantity, unit_price, amount_cents }) => ({
        metric,
        quantity,
        unit_price,
        amount_cents,
      })),
  );
  expect(overages[0]).toEqual([
    { metric: "api_calls", quantity: 4, unit_price: charge.package_price, amount_cents: expectedCents },
  ]);
  expect(overages[1]).toEqual(overages[0]);
  expect(invoices[1].total_cents).toBe(invoices[0].total_cents);
  for (const org of [once, thrice]) expect(await overageLines(org.billing)).toHaveLength(1);
}, 240_000);

describe("a subscription's last period: usage closes it where the subscription ends, billing invoices its overage", () => {
  it.each([
    ["canceled now, mid-period", false],
    ["canceled at the period's end", true],
  ])(
    "%s",
    async (_, atPeriodEnd) => {
      const org = await payingOnClock(
        `E2E Usage Last Period ${atPeriodEnd ? "At End" : "Now"}`,
        `${uniqueName("last-period-owner")}@example.com`,
      );
      const { periodStart } = org;
      const limit = org.plan.limits.api_calls as number;
      const charge = org.plan.charges.api_calls as { package_size: number; package_price: string };
      const total = limit + charge.package_size + 1; // two started packages
      const usage = await usageOf(org.accountId, org.token);
      await usage.reportOnClock([
        {
          metric: "api_calls",
          quantity: limit,
          idempotency_key: "limit",
          timestamp: periodStart + 5 * 60_000,
        },
        {
          metric: "api_calls",
          quantity: charge.package_size + 1,
          idempotency_key: "over",
          timestamp: periodStart + 10 * 60_000,
        },
      ]);
      await usage.counted("api_calls", periodStart, periodStart + HOUR_MS, total);

      const canceledAt = periodStart + 30 * 60_000;
      await org.advance(canceledAt);
      const canceled = await org.billing.request("POST", "/subscription/cancel", {
        at_period_end: atPeriodEnd,
      });
      const endsAt = atPeriodEnd ? org.periodEnd : canceledAt;
      expect([canceled.status, Date.parse(canceled.ends_at)]).toEqual([
        atPeriodEnd ? "canceled" : "ended",
        endsAt,
      ]);
      await org.advance(endsAt + 2 * HOUR_MS);
      const invoice = await paidOverageInvoice(
        org,
        endsAt + 2 * HOUR_MS,
        "billing to invoice the last period",
      );
      expect(invoice.lines).toMatchObject([
        {
          kind: "overage",
          metric: "api_calls",
          quantity: 2,
          amount_cents: overageCents(total, limit, charge),
          period_start: new Date(periodStart).toISOString(),
          period_end: new Date(endsAt).toISOString(),
        },
      ]);
      expect(invoice.total_cents).toBe(2 * cents(charge.package_price));
      expect((await org.billing.subscription()).status).toBe("ended");
      expect(await overageLines(org.billing)).toHaveLength(1);
      // Usage closed the last period where the subscription ended: an event of it is late.
      const late = await usage.report(
        { metric: "api_calls", quantity: 1, idempotency_key: "late", timestamp: endsAt - 60_000 },
        "/usage",
      );
      expect([late.status, late.body.code]).toEqual([409, "period_closed"]);
    },
    180_000,
  );
});
