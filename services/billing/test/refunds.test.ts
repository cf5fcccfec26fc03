/**
 * Refunds are never made twice (issue #12, docs/billing.md "Credit notes and refunds"): the refund is
 * recorded pending with its credit note before the provider is called with the refund's id as its
 * idempotency key. A provider that refunds and then dies before the outcome is recorded (the crash
 * between the two steps) leaves the refund pending: the retry with the same Idempotency-Key, the
 * scheduler, or a test clock's advance completes it, and the provider has refunded once. Two concurrent requests refund once;
 * a refund the provider refuses (pm_card_refundFail) is recorded, answered 409 `refund_failed`, and
 * its amount credited to the customer's balance. Real broker, registry and Postgres.
 */

import type { RefundRequest, RefundResult } from "../src/app/payments/provider";
import { TEST_PAYMENT_METHODS as PM, TestPaymentProvider } from "../src/app/payments/test-provider";
import { SYSTEM_ACTOR } from "../src/domain/events";
import { REFUND_SWEEP_AFTER_MS } from "../src/domain/invoice-aggregate";
import { type Harness, startBilling } from "./support/harness";

/** The test provider, which can be told to die right after it refunded: its side done, billing's not told. */
class CrashingProvider extends TestPaymentProvider {
  crashes = 0;
  calls = 0;
  override async refund(request: RefundRequest): Promise<RefundResult> {
    this.calls++;
    const result = await super.refund(request);
    if (this.crashes > 0) {
      this.crashes--;
      throw new Error("simulated crash: the provider refunded, the process died before recording it");
    }
    return result;
  }
}

let h: Harness;
const provider = new CrashingProvider();
beforeAll(async () => {
  h = await startBilling({ BILLING_TEST_CLOCKS: "true" }, { paymentProvider: provider });
});
afterAll(() => h?.close());

const setClock = (at: Date) => h.clock.advance(at.getTime() - h.clock.now().getTime());
const inv = (accountId: string, tail = "") => `/v1/organizations/${accountId}/invoices${tail}`;

/** An organization whose trial converted on `method`: its first invoice ($199.00) paid. */
async function paidInvoice(name: string, method: string = PM.succeeds) {
  const { accountId } = await h.organization(name);
  const attach = await h.call("POST", `/v1/organizations/${accountId}/subscription/payment-method`, {
    token: await h.token(accountId),
    body: { payment_method_id: method },
  });
  expect(attach.status).toBe(200);
  setClock((await h.service.subscriptions.get(accountId)).trialEnd as Date);
  await h.service.runScheduler();
  const list = await h.call("GET", inv(accountId), { token: await h.token(accountId) });
  const [paid] = list.body.data as { invoice_id: string; status: string; paid_cents: number }[];
  expect([paid?.status, paid?.paid_cents]).toEqual(["paid", 19_900]);
  return { accountId, invoiceId: String(paid?.invoice_id) };
}

async function invoice(accountId: string, invoiceId: string) {
  const answer = await h.call("GET", inv(accountId, `/${invoiceId}`), { token: await h.token(accountId) });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function creditNote(accountId: string, invoiceId: string, amountCents: number, key?: string) {
  return h.call("POST", inv(accountId, `/${invoiceId}/credit-notes`), {
    token: await h.token(accountId),
    body: { amount_cents: amountCents, reason: "refund", refund: true },
    headers: key ? { "Idempotency-Key": key } : {},
  });
}

const madeFor = (invoiceId: string) => provider.refunds.filter((refund) => refund.invoiceId === invoiceId);

describe("a crash between the provider's refund and its record", () => {
  it("leaves the refund pending with its note; the retry with the same key completes it, refunded once", async () => {
    const { accountId, invoiceId } = await paidInvoice("Crash Retry Co");
    provider.crashes = 1;
    const crashed = await creditNote(accountId, invoiceId, 5_000, "refund-crash-1");
    expect(crashed.status).toBe(500);
    expect(madeFor(invoiceId)).toHaveLength(1);
    const pending = await invoice(accountId, invoiceId);
    expect(pending).toMatchObject({ credited_cents: 5_000, refunded_cents: 0, pending_refund_cents: 5_000 });
    expect(pending.credit_notes).toHaveLength(1);
    expect(pending.refunds).toMatchObject([
      { status: "pending", amount_cents: 5_000, provider_refund_id: null },
    ]);
    const refundId = pending.refunds[0].refund_id;

    const calls = provider.calls;
    const retried = await creditNote(accountId, invoiceId, 5_000, "refund-crash-1");
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({
      credit_note_id: pending.credit_notes[0].credit_note_id,
      refund_cents: 5_000,
      balance_credit_cents: 0,
    });
    // The provider was asked again under the same refund id, and refunded nothing more.
    expect(provider.calls).toBe(calls + 1);
    expect(madeFor(invoiceId)).toMatchObject([{ idempotencyKey: refundId, amountCents: 5_000 }]);
    expect(await invoice(accountId, invoiceId)).toMatchObject({
      credited_cents: 5_000,
      refunded_cents: 5_000,
      pending_refund_cents: 0,
      credit_notes: [{ refund_cents: 5_000 }],
      refunds: [
        { refund_id: refundId, status: "succeeded", provider_refund_id: madeFor(invoiceId)[0]?.refundId },
      ],
    });
    expect(await h.service.invoices.balance(accountId)).toBe(0);
  });

  it("left alone, the scheduler completes it once its request had its chance; nothing is refunded twice", async () => {
    const { accountId, invoiceId } = await paidInvoice("Crash Sweep Co");
    provider.crashes = 1;
    expect((await creditNote(accountId, invoiceId, 2_500)).status).toBe(500);
    expect(await invoice(accountId, invoiceId)).toMatchObject({ pending_refund_cents: 2_500 });
    // Before the request's grace, the scheduler leaves it to the request.
    await h.service.runScheduler();
    expect(await invoice(accountId, invoiceId)).toMatchObject({ pending_refund_cents: 2_500 });
    h.clock.advance(REFUND_SWEEP_AFTER_MS);
    await h.service.runScheduler();
    expect(await invoice(accountId, invoiceId)).toMatchObject({
      refunded_cents: 2_500,
      pending_refund_cents: 0,
      refunds: [{ status: "succeeded", amount_cents: 2_500 }],
    });
    expect(madeFor(invoiceId)).toHaveLength(1);
    // Nothing is due any more: another run asks the provider nothing.
    const calls = provider.calls;
    await h.service.runScheduler();
    expect(provider.calls).toBe(calls);
  });

  it("on a test clock, the clock's advance completes it (the scheduler leaves clocked organizations alone)", async () => {
    const { accountId, subscription } = await h.organization("Crash Clock Co");
    const start = subscription.currentPeriodStart;
    const clock = await h.service.testClocks.create(
      accountId,
      { name: "refunds", frozenTime: start },
      SYSTEM_ACTOR,
    );
    await h.service.subscriptions.attachTestClock(accountId, clock.id, SYSTEM_ACTOR);
    await h.service.subscriptions.attachPaymentMethod(
      accountId,
      { id: PM.succeeds, kind: "card", brand: "visa", last4: "4242" },
      SYSTEM_ACTOR,
    );
    const converted = new Date((subscription.trialEnd as Date).getTime() + 60_000);
    await h.service.testClocks.advance(accountId, clock.id, converted, SYSTEM_ACTOR);
    const [paid] = await h.service.invoices.list(accountId);
    expect(paid?.status).toBe("paid");
    const invoiceId = String(paid?.id);
    provider.crashes = 1;
    expect((await creditNote(accountId, invoiceId, 1_000)).status).toBe(500);
    expect(await invoice(accountId, invoiceId)).toMatchObject({ pending_refund_cents: 1_000 });
    const advanced = await h.service.testClocks.advance(
      accountId,
      clock.id,
      new Date(converted.getTime() + REFUND_SWEEP_AFTER_MS),
      SYSTEM_ACTOR,
    );
    expect(advanced.steps).toBe(1);
    expect(await invoice(accountId, invoiceId)).toMatchObject({
      refunded_cents: 1_000,
      pending_refund_cents: 0,
      refunds: [{ status: "succeeded", amount_cents: 1_000 }],
    });
    expect(madeFor(invoiceId)).toHaveLength(1);
  });
});

describe("concurrent requests", () => {
  it("two refunds that together exceed the invoice: one is issued and refunded, the other refused", async () => {
    const { accountId, invoiceId } = await paidInvoice("Double Click Co");
    const answers = await Promise.all([
      creditNote(accountId, invoiceId, 15_000),
      creditNote(accountId, invoiceId, 15_000),
    ]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses[0]).toBe(201);
    expect([400, 409]).toContain(statuses[1]);
    const refused = answers.find((answer) => answer.status !== 201);
    expect(["concurrency_conflict", "credit_note_exceeds_invoice"]).toContain(refused?.body.code);
    expect(madeFor(invoiceId)).toMatchObject([{ amountCents: 15_000 }]);
    expect(await invoice(accountId, invoiceId)).toMatchObject({
      credited_cents: 15_000,
      refunded_cents: 15_000,
      pending_refund_cents: 0,
    });
  });

  it("the same request twice at once with one Idempotency-Key: one note, one refund", async () => {
    const { accountId, invoiceId } = await paidInvoice("Same Key Co");
    const answers = await Promise.all([
      creditNote(accountId, invoiceId, 3_000, "same-key"),
      creditNote(accountId, invoiceId, 3_000, "same-key"),
    ]);
    expect(answers.map((answer) => answer.status)).toContain(201);
    for (const answer of answers)
      if (answer.status !== 201)
        expect([answer.status, answer.body.code]).toEqual([409, "idempotency_key_in_use"]);
    expect(madeFor(invoiceId)).toHaveLength(1);
    const detail = await invoice(accountId, invoiceId);
    expect(detail).toMatchObject({ credited_cents: 3_000, refunded_cents: 3_000 });
    expect(detail.credit_notes).toHaveLength(1);
  });
});

describe("a refund the provider refuses", () => {
  it("is recorded failed, answered 409 refund_failed, and its amount goes to the customer's balance", async () => {
    const { accountId, invoiceId } = await paidInvoice("Refund Fails Co", PM.refundFails);
    const failed = await creditNote(accountId, invoiceId, 4_000, "fails-1");
    expect([failed.status, failed.body.code]).toEqual([409, "refund_failed"]);
    expect(failed.body).toMatchObject({ failure_code: "refund_failed", balance_credit_cents: 4_000 });
    expect(madeFor(invoiceId)).toHaveLength(0);
    const detail = await invoice(accountId, invoiceId);
    expect(detail).toMatchObject({
      credited_cents: 4_000,
      refunded_cents: 0,
      pending_refund_cents: 0,
      credit_notes: [
        { credit_note_id: failed.body.credit_note_id, refund_cents: 0, balance_credit_cents: 4_000 },
      ],
      refunds: [{ status: "failed", failure_code: "refund_failed", amount_cents: 4_000, refunded_at: null }],
    });
    expect(await h.service.invoices.balance(accountId)).toBe(4_000);
    // The replay answers the same; nothing is recorded or refunded again.
    const replay = await creditNote(accountId, invoiceId, 4_000, "fails-1");
    expect([replay.status, replay.body.code]).toEqual([409, "refund_failed"]);
    expect((await invoice(accountId, invoiceId)).credit_notes).toHaveLength(1);
  });

  it("another organization cannot refund the invoice: 404, nothing asked of the provider", async () => {
    const { accountId, invoiceId } = await paidInvoice("Owner Co");
    const { accountId: other } = await h.organization("Nosy Refund Co");
    const foreign = await creditNote(other, invoiceId, 100, "nosy");
    expect([foreign.status, foreign.body.code]).toEqual([404, "invoice_not_found"]);
    expect(madeFor(invoiceId)).toHaveLength(0);
    expect((await invoice(accountId, invoiceId)).credit_notes).toHaveLength(0);
  });
});
