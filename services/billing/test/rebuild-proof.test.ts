/**
 * The rebuild proof for billing (issue 10, item 3; docs/architecture.md, "The rebuild proof"): after
 * trials, conversions (invoiced and charged, one declined and dunned to suspension), an upgrade, a
 * scheduled downgrade, a switch to annual, a cancellation, credit notes (one to the customer's balance,
 * applied to the next invoice, one refunded to the card, one whose refund a crash left pending), a usage period closed and a late adjustment of it billed, a
 * test clock advanced with a subscription on it, discounts applied and redeemed, a closed organization,
 * a renamed one (organization_profiles) and a role from identity, every inline and
 * async table is emptied and rebuilt
 * from billing.events, tenancy.events and identity.events, and equals the live copy row by row (every
 * tenant's rows, read past row-level security on the administrator's connection).
 */
import { IdentityEvent, TenancyEvent, UsageEvent } from "@platform/contracts";
import { privilegedUrlOf, proveRebuild } from "@platform/event-sourcing";
import { expectRebuiltEqual, infrastructure, rowsOf } from "@platform/testkit";
import type { RefundRequest, RefundResult } from "../src/app/payments/provider";
import { TestPaymentProvider } from "../src/app/payments/test-provider";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../src/tables";
import { type Harness, organizationCreated, startBilling } from "./support/harness";

/** The test provider, told once to die right after it refunded (the crash before the outcome is recorded). */
class CrashOnceProvider extends TestPaymentProvider {
  crash = false;
  override async refund(request: RefundRequest): Promise<RefundResult> {
    const result = await super.refund(request);
    if (!this.crash) return result;
    this.crash = false;
    throw new Error("simulated crash after the provider refunded");
  }
}
const provider = new CrashOnceProvider();

const DAY = 86_400_000;
let h: Harness;
let adminUrl: string;

beforeAll(async () => {
  h = await startBilling({}, { paymentProvider: provider });
  adminUrl = privilegedUrlOf(h.db.url, infrastructure().postgresAdminUrl);
  await scenarios();
  await h.service.settled();
}, 180_000);
afterAll(() => h?.close());

async function ok(
  accountId: string,
  tail: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<void> {
  const res = await h.call("POST", `/v1/organizations/${accountId}/subscription${tail}`, {
    token: await h.token(accountId),
    body,
    headers,
  });
  if (res.status >= 300) throw new Error(`POST ${tail}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function scenarios(): Promise<void> {
  const converting = await h.organization("Converts Inc");
  // With an Idempotency-Key: its answer is kept in the request cache, which the proof must leave alone.
  await ok(
    converting.accountId,
    "/payment-method",
    { payment_method_id: "pm_card_visa" },
    { "Idempotency-Key": "k1" },
  );
  const lapsing = await h.organization("Lapses Ltd");
  const switching = await h.organization("Switches Co");
  // A test clock (its own aggregate) with a subscription on it, taken through its trial's end.
  const clocked = await h.organization("Clocked Co");
  const actor = { type: "user", id: "usr_tester", ip_address: null, user_agent: null };
  const clock = await h.service.testClocks.create(
    clocked.accountId,
    { name: "a year", frozenTime: clocked.subscription.currentPeriodStart },
    actor,
  );
  await h.service.subscriptions.attachTestClock(clocked.accountId, clock.id, actor);
  await ok(clocked.accountId, "/payment-method", { payment_method_id: "pm_card_visa" });
  await h.service.testClocks.advance(
    clocked.accountId,
    clock.id,
    new Date(clock.frozenTime.getTime() + 15 * DAY),
    actor,
  );
  // An operator's coupon, and discounts applied in the trial: the conversion's invoice uses and redeems them.
  await h.service.coupons.define({
    coupon_id: "REBUILD15",
    name: "15% off, three invoices",
    kind: "percent",
    percent_off: "15",
    duration: "repeating",
    duration_in_periods: 3,
    valid_from: "2026-01-01T00:00:00Z",
    valid_until: null,
  });
  await ok(clocked.accountId, "/discounts", { coupon: "REBUILD15" });
  await ok(converting.accountId, "/discounts", { coupon: "LAUNCH20" });
  await ok(converting.accountId, "/discounts", { coupon: "WELCOME50" });
  await ok(switching.accountId, "/payment-method", { payment_method_id: "pm_card_visa" });
  const declining = await h.organization("Declines AG");
  await ok(declining.accountId, "/payment-method", { payment_method_id: "pm_card_chargeDeclined" });
  h.clock.advance(15 * DAY);
  // Converts three trials (invoiced, one declined: past due), ends the one without a payment method.
  await h.service.runScheduler();
  h.clock.advance(8 * DAY);
  await h.service.runScheduler(); // dunning, 8 days late: one retry, then the declined one is suspended
  expect((await h.service.subscriptions.get(declining.accountId)).status).toBe("suspended");
  const [conversion] = await h.service.invoices.list(converting.accountId);
  const credited = await h.call(
    "POST",
    `/v1/organizations/${converting.accountId}/invoices/${conversion?.id}/credit-notes`,
    { token: await h.token(converting.accountId), body: { amount_cents: 1_000, reason: "late start" } },
  );
  expect(credited.status).toBe(201);
  // And one refunded to the card through the payment provider (RefundIssued, `refunds`).
  const refunded = await h.call(
    "POST",
    `/v1/organizations/${converting.accountId}/invoices/${conversion?.id}/credit-notes`,
    {
      token: await h.token(converting.accountId),
      body: { amount_cents: 500, reason: "refund", refund: true },
    },
  );
  expect(refunded.status).toBe(201);
  // And one whose process died after the provider refunded: left pending (RefundRequested only), for
  // the scheduler to complete as the scenario's time moves on.
  provider.crash = true;
  const crashed = await h.call(
    "POST",
    `/v1/organizations/${converting.accountId}/invoices/${conversion?.id}/credit-notes`,
    {
      token: await h.token(converting.accountId),
      body: { amount_cents: 300, reason: "refund, crashed", refund: true },
    },
  );
  expect(crashed.status).toBe(500);
  const period = await h.service.subscriptions.get(converting.accountId);
  await h.publish("usage", UsageEvent.UsagePeriodClosed, `usage-period:${period.id}`, {
    account_id: converting.accountId,
    subscription_id: period.id,
    period_start: period.currentPeriodStart.getTime(),
    period_end: period.currentPeriodEnd.getTime(),
    totals: { api_calls: 150_000 },
    limits: { api_calls: 100_000 },
  });
  // A late change to that period (usage's adjust mode), recorded once, then billed with the upgrade's
  // invoice, which also applies the $10.00 the credit note above put on the customer's balance.
  await h.publish("usage", UsageEvent.UsageAdjusted, `usage_adjustment:${converting.accountId}:late`, {
    account_id: converting.accountId,
    subscription_id: period.id,
    period_start: period.currentPeriodStart.getTime(),
    period_end: period.currentPeriodEnd.getTime(),
    metric: "api_calls",
    quantity: 2_500,
    reason: "late_event",
    idempotency_key: "late",
  });
  await h.service.settled();
  await ok(converting.accountId, "/upgrade", { plan_id: "enterprise" });
  await ok(converting.accountId, "/downgrade", { plan_id: "starter" });
  await ok(switching.accountId, "/billing-cycle", { interval: "year" });
  await ok(switching.accountId, "/cancel", { at_period_end: true });
  expect((await h.service.subscriptions.get(lapsing.accountId)).status).toBe("ended");

  const closed = await h.organization("Closes GmbH");
  await h.publish("tenancy", TenancyEvent.OrganizationClosed, closed.accountId, {
    account_id: closed.accountId,
    previous_status: "created",
    status: "closed",
    reason: "moving on",
  });
  await h.publish("tenancy", TenancyEvent.OrganizationUpdated, converting.accountId, {
    ...organizationCreated(converting.accountId, "Converts International"),
    status: undefined,
    address: {
      street_address: "1 Main St",
      locality: "Springfield",
      region: null,
      postal_code: "12345",
      country: "US",
    },
    changed_fields: ["name", "address"],
  });
  await h.publish("identity", IdentityEvent.RoleDefined, `role:${converting.accountId}:finance`, {
    account_id: converting.accountId,
    role: "finance",
    permissions: ["billing.read"],
    description: "reads invoices",
  });
  // The crashed refund is still pending when the scenario ends (no sweep ran), so the proof rebuilds
  // a pending refund too; the provider made it once.
  const { invoice, refunds } = await h.service.invoices.get(converting.accountId, String(conversion?.id));
  expect(invoice.pendingRefundCents).toBe(300);
  expect(refunds.map((refund) => [refund.amountCents, refund.status])).toEqual([
    [500, "succeeded"],
    [300, "pending"],
  ]);
  expect(provider.refunds.map((refund) => refund.amountCents)).toEqual([500, 300]);
}

it("rebuilds every inline and async table from the logs, equal to the live copy, a day later", async () => {
  h.clock.advance(DAY);
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    unreplayedColumns: UNREPLAYED_COLUMNS,
    rebuild: () => h.service.rebuildAll(),
  });
  expectRebuiltEqual(report);
  expect(rowsOf(report, "subscriptions")).toBe(6);
  expect(rowsOf(report, "test_clocks")).toBe(1);
  // The revenue ledger: five trial outcomes (one on the test clock), the upgrade, the switch to annual (the
  // cancellation at the period's end moves no MRR yet; past due and suspended keep it), so the metrics
  // computed from it are rebuilt too.
  expect(rowsOf(report, "mrr_changes")).toBe(7);
  expect(rowsOf(report, "organization_profiles")).toBe(6);
  expect(rowsOf(report, "usage_adjustments")).toBe(1);
  expect(rowsOf(report, "refunds")).toBe(2);
  // The idempotency keys are a request cache, not state: kept by their class, neither emptied nor compared.
  expect(report.kept.requestCache).toEqual(["platform_idempotency_keys"]);
  expect(report.proven.map((entry) => entry.table)).not.toContain("platform_idempotency_keys");
});
