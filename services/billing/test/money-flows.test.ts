/**
 * Money between invoices against real Kafka, registry and Postgres (docs/billing.md, "The customer's
 * balance" and "Usage adjustments"): a credit note on a paid invoice credits the customer's balance,
 * which the next invoices apply (never below 0, the rest carried on); usage's UsageAdjusted, published
 * through the kit's producer as usage does, is billed once on the next invoice as adjustment lines,
 * re-rated at the plan of the period it belongs to, however often it arrives; another organization's
 * adjustment and a trial's are not billed; discounts lower MRR while they apply; a credit note on a paid
 * invoice refunds through the payment provider (the test provider records it).
 */
import { UsageEvent } from "@platform/contracts";
import { TEST_PAYMENT_METHODS as PM, TestPaymentProvider } from "../src/app/payments/test-provider";
import { type Harness, startBilling } from "./support/harness";

let h: Harness;
const provider = new TestPaymentProvider();
beforeAll(async () => {
  h = await startBilling({}, { paymentProvider: provider });
});
afterAll(() => h?.close());

const HOUR = 3_600_000;
const setClock = (at: Date) => h.clock.advance(at.getTime() - h.clock.now().getTime());
const inv = (accountId: string, tail = "") => `/v1/organizations/${accountId}/invoices${tail}`;

async function converted(name: string) {
  const { accountId } = await h.organization(name);
  const attach = await h.call("POST", `/v1/organizations/${accountId}/subscription/payment-method`, {
    token: await h.token(accountId),
    body: { payment_method_id: PM.succeeds },
  });
  expect(attach.status).toBe(200);
  const subscription = await h.service.subscriptions.get(accountId);
  setClock(subscription.trialEnd as Date);
  await h.service.runScheduler();
  return { accountId, subscriptionId: subscription.id, trialStart: subscription.currentPeriodStart };
}

/** The period's end comes, the renewal is drafted, and (no usage close) finalized after the grace. */
async function renew(accountId: string) {
  const { currentPeriodEnd } = await h.service.subscriptions.get(accountId);
  setClock(currentPeriodEnd);
  await h.service.runScheduler();
  h.clock.advance(HOUR);
  await h.service.runScheduler();
  const [latest] = await invoices(accountId);
  return invoice(accountId, String(latest?.invoice_id));
}

async function invoices(accountId: string) {
  const answer = await h.call("GET", inv(accountId), { token: await h.token(accountId) });
  expect(answer.status).toBe(200);
  return answer.body.data as Record<string, unknown>[];
}

async function invoice(accountId: string, invoiceId: string) {
  const answer = await h.call("GET", inv(accountId, `/${invoiceId}`), { token: await h.token(accountId) });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function creditNote(accountId: string, invoiceId: string, amount: number) {
  const answer = await h.call("POST", inv(accountId, `/${invoiceId}/credit-notes`), {
    token: await h.token(accountId),
    body: { amount_cents: amount, reason: "outage credit" },
  });
  expect(answer.status).toBe(201);
  return answer.body;
}

describe("MRR net of discounts (ChartMogul)", () => {
  it("a discount lowers MRR for the periods whose invoices it reduces, and MRR rises back when it ends", async () => {
    const { accountId } = await h.organization("Discounted Co");
    const post = async (tail: string, body: unknown) => {
      const res = await h.call("POST", `/v1/organizations/${accountId}/subscription${tail}`, {
        token: await h.token(accountId),
        body,
      });
      expect(res.status).toBeLessThan(300);
    };
    await post("/payment-method", { payment_method_id: PM.succeeds });
    await post("/discounts", { coupon: "LAUNCH20" }); // 20 % off three invoices
    const trial = await h.service.subscriptions.get(accountId);
    expect(trial.mrrCents).toBe(0);
    setClock(trial.trialEnd as Date);
    await h.service.runScheduler();
    const mrr = async () => (await h.service.subscriptions.get(accountId)).mrrCents;
    expect(await mrr()).toBe(15_920); // $199.00 − 20 %
    expect((await renew(accountId)).total_cents).toBe(15_920);
    expect(await mrr()).toBe(15_920);
    // Applied during the third discounted period: it lowers the next period's MRR, not this one's.
    const third = await renew(accountId);
    expect(third.total_cents).toBe(15_920);
    await post("/discounts", { coupon: "PARTNER10" }); // 10 % off, forever
    expect(await mrr()).toBe(15_920);
    // LAUNCH20 is spent: the fourth invoice has only PARTNER10, and so has MRR.
    const fourth = await renew(accountId);
    expect(fourth.total_cents).toBe(17_910);
    expect(await mrr()).toBe(17_910);
    const res = await h.call(
      "GET",
      `/v1/organizations/${accountId}/billing/metrics?from=${month(trial.currentPeriodStart)}&to=${month(h.clock.now())}`,
      { token: await h.token(accountId) },
    );
    expect(res.status).toBe(200);
    const months = res.body.months as Record<string, number>[];
    const sum = (field: string) => months.reduce((total, m) => total + (m[field] ?? 0), 0);
    expect([sum("new_cents"), sum("expansion_cents"), sum("contraction_cents")]).toEqual([15_920, 1_990, 0]);
    expect(months.at(-1)?.mrr_end_cents).toBe(17_910);
    // Removing the forever discount: MRR back to the plan's from the next period.
    const removed = await h.call(
      "DELETE",
      `/v1/organizations/${accountId}/subscription/discounts/PARTNER10`,
      {
        token: await h.token(accountId),
        body: {},
      },
    );
    expect(removed.status).toBeLessThan(300);
    await renew(accountId);
    expect(await mrr()).toBe(19_900);
  });
});

const month = (at: Date) => at.toISOString().slice(0, 7);

describe("the customer's balance", () => {
  it("a credit note on a paid invoice credits it; the next invoices apply it, never below 0, the rest carried on", async () => {
    const { accountId } = await converted("Balance Co");
    const [conversion] = await invoices(accountId);
    expect(conversion).toMatchObject({ status: "paid", total_cents: 19_900, applied_balance_cents: 0 });
    // $250.00 of credit: more than one invoice asks.
    const first = await creditNote(accountId, String(conversion?.invoice_id), 15_000);
    expect(first).toMatchObject({ amount_cents: 15_000, balance_credit_cents: 15_000 });
    expect(await h.service.invoices.balance(accountId)).toBe(15_000);

    const second = await renew(accountId);
    // $199.00 − $150.00 applied: $49.00 charged.
    expect(second).toMatchObject({
      status: "paid",
      total_cents: 19_900,
      applied_balance_cents: 15_000,
      amount_due_cents: 0,
      paid_cents: 4_900,
      payments: [{ status: "succeeded", amount_cents: 4_900 }],
    });
    expect(await h.service.invoices.balance(accountId)).toBe(0);

    await creditNote(accountId, String(second.invoice_id), 19_900);
    await creditNote(accountId, String(conversion?.invoice_id), 4_900);
    expect(await h.service.invoices.balance(accountId)).toBe(24_800);
    // $248.00 of balance on a $199.00 invoice: settled as issued, nothing charged, $49.00 left.
    const third = await renew(accountId);
    expect(third).toMatchObject({
      status: "paid",
      applied_balance_cents: 19_900,
      amount_due_cents: 0,
      paid_cents: 0,
      payments: [],
    });
    expect(await h.service.invoices.balance(accountId)).toBe(4_900);
    const fourth = await renew(accountId);
    expect(fourth).toMatchObject({ applied_balance_cents: 4_900, paid_cents: 15_000 });
    expect(await h.service.invoices.balance(accountId)).toBe(0);

    // The documents show it between the total and the amount due.
    const page = await h.call("GET", inv(accountId, `/${third.invoice_id}/html`), {
      token: await h.token(accountId),
    });
    expect(page.status).toBe(200);
    expect(String(page.body)).toMatch(/Applied balance<\/td><td class="num">-\$199\.00/);
    const pdf = await h.call("GET", inv(accountId, `/${third.invoice_id}/pdf`), {
      token: await h.token(accountId),
    });
    expect(pdf.status).toBe(200);
  });

  it("is the organization's own: another organization's balance is not applied", async () => {
    const { accountId: rich } = await converted("Rich Co");
    const [paid] = await invoices(rich);
    await creditNote(rich, String(paid?.invoice_id), 10_000);
    const { accountId: other } = await converted("Other Co");
    expect(await h.service.invoices.balance(other)).toBe(0);
    // Both renew together (the scheduler runs every organization's due steps): each applies its own.
    const next = await renew(other);
    expect(next).toMatchObject({ applied_balance_cents: 0, paid_cents: 19_900 });
    const [richRenewal] = await invoices(rich);
    expect(richRenewal).toMatchObject({ applied_balance_cents: 10_000, amount_due_cents: 0 });
    expect(await h.service.invoices.balance(rich)).toBe(0);
  });
});

describe("usage adjustments (UsageAdjusted)", () => {
  it("are billed once on the next invoice, re-rated at the period's plan, however often they arrive", async () => {
    const { accountId, subscriptionId, trialStart } = await converted("Late Meters");
    const closed = await h.service.subscriptions.get(accountId);
    const period = {
      account_id: accountId,
      subscription_id: subscriptionId,
      period_start: closed.currentPeriodStart.getTime(),
      period_end: closed.currentPeriodEnd.getTime(),
    };
    await h.publish("usage", UsageEvent.UsagePeriodClosed, `usage-period:${subscriptionId}:1`, {
      ...period,
      totals: { api_calls: 112_500 },
      limits: { api_calls: 100_000 },
    });
    await h.service.settled();
    const renewal = await renew(accountId);
    expect(renewal).toMatchObject({ total_cents: 19_900 + 5_200 }); // 13 × $4.00 over

    const adjusted = (key: string, quantity: number, over = period, accountOf = accountId) =>
      h.publish("usage", UsageEvent.UsageAdjusted, `usage_adjustment:${accountOf}:${key}`, {
        ...over,
        account_id: accountOf,
        metric: "api_calls",
        quantity,
        reason: "late_event",
        idempotency_key: key,
      });
    await adjusted("late-1", 2_500);
    await adjusted("late-1", 2_500); // usage's producer retried: the same adjustment again
    await adjusted("late-2", -20_000);
    // Refused quietly: a trial's period (never billed), and another organization naming this subscription.
    await adjusted("trial", 50_000, {
      ...period,
      period_start: trialStart.getTime(),
      period_end: closed.currentPeriodStart.getTime(),
    });
    const { accountId: intruder } = await h.organization("Intruder");
    await adjusted("foreign", 90_000, { ...period, account_id: intruder }, intruder);
    await h.service.settled();

    const next = await renew(accountId);
    // 112,500 → 115,000: 15 packages, +2 × $4.00; then 115,000 → 95,000: within the limit, −15 × $4.00.
    expect(next).toMatchObject({ subtotal_cents: 19_900 + 800 - 6_000, total_cents: 14_700 });
    expect(next.lines).toMatchObject([
      { kind: "base", amount_cents: 19_900 },
      {
        kind: "adjustment",
        metric: "api_calls",
        amount_cents: 800,
        period_start: closed.currentPeriodStart.toISOString(),
        period_end: closed.currentPeriodEnd.toISOString(),
      },
      { kind: "adjustment", metric: "api_calls", amount_cents: -6_000 },
    ]);
    expect(String(next.lines[1].description)).toContain("+2,500");
    const events = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM platform_events WHERE event_type LIKE '%UsageAdjustmentRecorded'",
    );
    expect(events[0]?.n).toBe(2);

    // Billed once: the adjustments arriving again change no later invoice.
    await adjusted("late-1", 2_500);
    await h.service.settled();
    const after = await renew(accountId);
    expect(after.lines).toMatchObject([{ kind: "base" }]);
    expect(after.total_cents).toBe(19_900);
  });

  it("of a subscription that ended: an invoice of their own", async () => {
    const { accountId, subscriptionId } = await converted("Ended Meters");
    const last = await h.service.subscriptions.get(accountId);
    const canceled = await h.call("POST", `/v1/organizations/${accountId}/subscription/cancel`, {
      token: await h.token(accountId),
      body: { at_period_end: false },
    });
    expect(canceled.status).toBe(200);
    const period = {
      account_id: accountId,
      subscription_id: subscriptionId,
      period_start: last.currentPeriodStart.getTime(),
      period_end: last.currentPeriodEnd.getTime(),
    };
    await h.publish("usage", UsageEvent.UsagePeriodClosed, `usage-period:${subscriptionId}:1`, {
      ...period,
      totals: { api_calls: 95_000 },
      limits: { api_calls: 100_000 },
    });
    await h.publish("usage", UsageEvent.UsageAdjusted, `usage_adjustment:${accountId}:k`, {
      ...period,
      metric: "api_calls",
      quantity: 15_000,
      reason: "late_event",
      idempotency_key: "k",
    });
    await h.service.settled();
    await h.service.runScheduler();
    const [own] = await invoices(accountId);
    const detail = await invoice(accountId, String(own?.invoice_id));
    // 95,000 → 110,000: 10 packages over the limit.
    expect(detail).toMatchObject({
      billing_reason: "subscription_cycle",
      status: "paid",
      total_cents: 4_000,
      lines: [{ kind: "adjustment", amount_cents: 4_000 }],
    });
  });
});

describe("refunds (a credit note on a paid invoice, back to the payment method)", () => {
  it("refunds through the provider instead of crediting the balance, once, and records RefundIssued", async () => {
    const { accountId } = await converted("Refunded Co");
    const [paid] = await invoices(accountId);
    const id = String(paid?.invoice_id);
    const detail = await invoice(accountId, id);
    const paymentId = detail.payments[0].payment_id;
    const answer = await h.call("POST", inv(accountId, `/${id}/credit-notes`), {
      token: await h.token(accountId),
      body: { amount_cents: 5_000, reason: "outage refund", refund: true },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ amount_cents: 5_000, refund_cents: 5_000, balance_credit_cents: 0 });
    const made = provider.refunds.filter((refund) => refund.invoiceId === id);
    expect(made).toMatchObject([{ paymentId, amountCents: 5_000, currency: "USD", accountId }]);
    expect(await invoice(accountId, id)).toMatchObject({
      status: "paid",
      credited_cents: 5_000,
      refunded_cents: 5_000,
      refunds: [
        {
          // Billing's id, which was the provider's idempotency key; the provider's own id beside it.
          refund_id: made[0]?.idempotencyKey,
          provider_refund_id: made[0]?.refundId,
          status: "succeeded",
          credit_note_id: answer.body.credit_note_id,
          payment_id: paymentId,
          amount_cents: 5_000,
          payment_method_id: PM.succeeds,
          provider: "test",
        },
      ],
    });
    expect(await h.service.invoices.balance(accountId)).toBe(0);
    // The rest of the invoice can be refunded, not more: 149.00 paid and not refunded.
    const over = await h.call("POST", inv(accountId, `/${id}/credit-notes`), {
      token: await h.token(accountId),
      body: { amount_cents: 15_000, reason: "too much", refund: true },
    });
    expect([over.status, over.body.code]).toEqual([400, "credit_note_exceeds_invoice"]);
  });

  it("refuses a refund of what an open invoice still asks (nothing was paid), and another organization's invoice", async () => {
    const { accountId } = await h.organization("Declined Co");
    await h.call("POST", `/v1/organizations/${accountId}/subscription/payment-method`, {
      token: await h.token(accountId),
      body: { payment_method_id: PM.declined },
    });
    setClock((await h.service.subscriptions.get(accountId)).trialEnd as Date);
    await h.service.runScheduler();
    const [open] = await invoices(accountId);
    expect(open?.status).toBe("open");
    const before = provider.refunds.length;
    const refused = await h.call("POST", inv(accountId, `/${open?.invoice_id}/credit-notes`), {
      token: await h.token(accountId),
      body: { amount_cents: 5_000, reason: "refund what?", refund: true },
    });
    expect([refused.status, refused.body.code]).toEqual([400, "refund_exceeds_payments"]);
    expect(provider.refunds.length).toBe(before);
    expect(await invoice(accountId, String(open?.invoice_id))).toMatchObject({ credit_notes: [] });
    const { accountId: other } = await converted("Nosy Co");
    const foreign = await h.call("POST", inv(other, `/${open?.invoice_id}/credit-notes`), {
      token: await h.token(other),
      body: { amount_cents: 100, reason: "not mine", refund: true },
    });
    expect([foreign.status, foreign.body.code]).toEqual([404, "invoice_not_found"]);
  });
});
