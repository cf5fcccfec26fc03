/**
 * usage → billing through the running services and Kafka only: an organization on a test clock converts
 * to Professional, reports API calls over the plan's limit in its first paid period through usage's HTTP
 * API, and the clock moves past the period's end and grace. usage follows the clock's time from billing's
 * TestClockAdvanced (docs/usage.md, "Test clocks"): it takes the period's events, which lie weeks past
 * the wall clock, closes the period when the clock passes its grace, and billing invoices the overage at
 * the plan's price in services/billing/catalog/plans.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { uniqueName, waitFor } from "@platform/testkit";
import { billingOf, onTestClock } from "./support/billing";
import {
  apiKeyOf,
  billingUrl,
  call,
  ensureRunning,
  identityUrl,
  organizationOf,
  signUp,
  tenancyUrl,
  usageUrl,
} from "./support/platform";

beforeAll(async () => {
  await ensureRunning("identity", identityUrl);
  await ensureRunning("tenancy", tenancyUrl);
  await ensureRunning("billing", billingUrl);
  await ensureRunning("usage", usageUrl);
});

const HOUR_MS = 3_600_000;

interface CatalogPlan {
  plan_id: string;
  version: number;
  limits: Record<string, number>;
  charges: Record<string, { model: string; package_size: number; package_price: string }>;
}

/** The plan version the subscription holds, as the catalog defines it. */
function catalogPlan(planId: string, version: number): CatalogPlan {
  const catalog = JSON.parse(
    readFileSync(join(__dirname, "../../services/billing/catalog/plans.json"), "utf8"),
  ) as { plans: CatalogPlan[] };
  const plan = catalog.plans.find((p) => p.plan_id === planId && p.version === version);
  if (!plan) throw new Error(`${planId} v${version} is not in the catalog`);
  return plan;
}

const cents = (decimal: string) => Math.round(Number(decimal) * 100);

interface Line {
  kind: string;
  metric: string | null;
  quantity: number;
  unit_price: string;
  amount_cents: number;
  period_start: string;
  period_end: string;
}

it("invoices the API calls over the plan's limit once usage closes the period at the clock's time", async () => {
  const owner = await signUp(`${uniqueName("overage-owner")}@example.com`);
  const { accountId, token } = await organizationOf(owner, "E2E Usage Overage");
  const billing = billingOf(accountId, token);
  const { trial, advance } = await onTestClock(accountId, token);
  await billing.request("POST", "/subscription/payment-method", { payment_method_id: "pm_card_visa" });
  const periodStart = Date.parse(trial.trial_end);
  await advance(periodStart + 60_000);
  const paying = await billing.subscription();
  expect([paying.status, paying.current_period_start]).toEqual([
    "active",
    new Date(periodStart).toISOString(),
  ]);
  const periodEnd = Date.parse(paying.current_period_end);

  const plan = catalogPlan(paying.plan.plan_id, paying.plan.version);
  const limit = plan.limits.api_calls as number;
  const charge = plan.charges.api_calls;
  expect(charge?.model).toBe("package");
  const packageSize = charge?.package_size as number;
  // Two and a half packages over the limit: three started packages.
  const over = 2 * packageSize + packageSize / 2;
  const expectedCents = 3 * cents(charge?.package_price as string);

  const key = await apiKeyOf(accountId, token, ["usage.write"]);
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
  const report = (body: unknown, path = "/usage/batch") =>
    call(usageUrl, "POST", `/v1/organizations/${accountId}${path}`, { token: key.token, body });
  // Weeks past the wall clock, within an hour of the clock: accepted once usage has read the clock's advance.
  await waitFor(
    async () => {
      const res = await report({ events });
      if (res.status === 202) return res;
      if (res.status !== 400 || res.body.errors?.[0]?.code !== "timestamp_in_future")
        throw new Error(`unexpected answer ${res.status} ${JSON.stringify(res.body)}`);
      return undefined;
    },
    { timeoutMs: 60_000, what: "usage to follow the organization's test clock" },
  );
  const tooFar = await report(
    { metric: "api_calls", quantity: 1, idempotency_key: "too-far", timestamp: periodStart + 2 * HOUR_MS },
    "/usage",
  );
  expect([tooFar.status, tooFar.body.code]).toEqual([400, "timestamp_in_future"]);
  // Counted before the clock moves on (what the count has not applied when the period closes is late).
  await waitFor(
    async () => {
      const res = await call(
        usageUrl,
        "GET",
        `/v1/organizations/${accountId}/usage/series?metric=api_calls&granularity=hour&from=${periodStart}&to=${periodStart + HOUR_MS}`,
        { token },
      );
      const total = (res.body?.points ?? []).reduce((sum: number, p: { value: number }) => sum + p.value, 0);
      return total === limit + over ? total : undefined;
    },
    { timeoutMs: 60_000, what: "usage to count the reported API calls" },
  );

  // Past the period's end and both graces (usage's close, billing's wait for it): renewal, then the close.
  await advance(periodEnd + 2 * HOUR_MS);
  const overageLines = async () =>
    (await billing.invoices()).flatMap((invoice) =>
      (invoice.lines as Line[])
        .filter((line) => line.kind === "overage")
        .map((line) => ({
          invoice_id: invoice.invoice_id as string,
          status: invoice.status as string,
          line,
        })),
    );
  const [billed] = await waitFor(
    async () => {
      const lines = await overageLines();
      return lines.length > 0 ? lines : undefined;
    },
    { timeoutMs: 90_000, what: "billing to invoice usage's closed period" },
  );
  expect(billed?.line).toMatchObject({
    metric: "api_calls",
    quantity: 3,
    unit_price: charge?.package_price,
    amount_cents: expectedCents,
    period_start: new Date(periodStart).toISOString(),
    period_end: new Date(periodEnd).toISOString(),
  });
  // An invoice of late usage is finalized and charged at the organization's next due step: the clock's.
  if (billed?.status === "draft") await advance(periodEnd + 3 * HOUR_MS);
  const invoice = await billing.request("GET", `/invoices/${billed?.invoice_id}`);
  expect(invoice).toMatchObject({ status: "paid", amount_due_cents: 0 });
  expect(invoice.total_cents).toBe(
    (invoice.lines as Line[]).reduce((sum, line) => sum + line.amount_cents, 0) - invoice.discount_cents,
  );
  expect(await overageLines()).toHaveLength(1); // billed once

  // The period is closed at usage: a late event for it is refused.
  const late = await report(
    { metric: "api_calls", quantity: 1, idempotency_key: "late", timestamp: periodStart + HOUR_MS },
    "/usage",
  );
  expect([late.status, late.body.code]).toEqual([409, "period_closed"]);
}, 180_000);
