/** The invoice aggregate's rules as tables: finalization, dunning's schedule, credit notes, due steps. */
import { invoicesFor } from "../../src/domain/billing-moments";
import { CATALOG_PLANS } from "../../src/domain/catalog";
import { DEFAULT_DUNNING } from "../../src/domain/dunning";
import {
  type ChargeOutcome,
  decide,
  dueStepOf,
  evolve,
  type InvoiceCommand,
  type InvoiceHistoryEvent,
  type InvoiceState,
  REFUND_SWEEP_AFTER_MS,
  type RefundOutcome,
} from "../../src/domain/invoice-aggregate";
import { documentNumber } from "../../src/domain/invoice-numbers";
import { baseLine } from "../../src/domain/invoices";
import { addDays, periodAt } from "../../src/domain/periods";
import { snapshotOf } from "../../src/domain/snapshots";
import { decide as decideSubscription, evolve as evolveSubscription } from "../../src/domain/subscriptions";

const plan = (id: string) => {
  const found = CATALOG_PLANS.find((p) => p.plan_id === id);
  if (!found) throw new Error(id);
  return found;
};
const JUNE = new Date("2026-06-01T00:00:00Z");
const period = periodAt(JUNE, "month", 0);
const closed = periodAt(new Date("2026-05-01T00:00:00Z"), "month", 0);

/** Decides and folds, as the store and the inline projection do. */
function run(state: InvoiceState | null, command: InvoiceCommand, now: Date): InvoiceState {
  let next = state;
  for (const event of decide(state, command, now)) {
    const stored = {
      type: event.type,
      data: { account_id: "acc_1", ...event.data, occurred_at: now.getTime(), actor: null },
      version: (next?.version ?? 0) + 1,
      occurredAt: now,
    } as unknown as InvoiceHistoryEvent;
    next = evolve(next, stored);
  }
  if (!next) throw new Error("no state");
  return next;
}

function renewalDraft(now = JUNE): InvoiceState {
  return run(
    null,
    {
      kind: "draft",
      id: "in_1",
      subscriptionId: "sub_1",
      currency: "USD",
      billingReason: "subscription_cycle",
      lines: [baseLine(plan("starter"), "month", period)],
      period,
      usagePeriod: closed,
      usagePlan: snapshotOf(plan("starter"), "month"),
      finalizeAt: now,
    },
    now,
  );
}

const finalize = (
  usage: Record<string, number> = {},
  lines = [baseLine(plan("starter"), "month", period)],
  balanceCents = 0,
): InvoiceCommand => ({
  kind: "finalize",
  lines,
  usage,
  adjustments: { ids: [], lines: [] },
  discounts: [],
  balanceCents,
  number: documentNumber("INV", 2026, 7),
  issuer: "platform",
});

const attempt = (outcome: ChargeOutcome): InvoiceCommand => ({
  kind: "record_attempt",
  outcome,
  paymentMethodId: "pm_card_chargeDeclined",
  provider: "test",
  policy: DEFAULT_DUNNING,
});
const declined: ChargeOutcome = { kind: "failed", paymentId: "pay_x", code: "card_declined", message: null };

describe("finalization", () => {
  it("a draft has no number and is due at finalize_at; finalizing adds the closed period's overages and numbers it", () => {
    const draft = renewalDraft();
    expect(draft).toMatchObject({ status: "draft", number: null, nextDueAt: JUNE });
    expect(dueStepOf(draft, JUNE)).toBe("finalize");
    // docs/billing.md: starter, 12,500 API calls and 130 GB: $49.00 + 3 × $5.00 + (100 × $0.50 + 20 × $0.25)
    const open = run(draft, finalize({ api_calls: 12_500, storage_gb: 130 }), JUNE);
    expect(open).toMatchObject({
      status: "open",
      number: "INV-2026-000007",
      totalCents: 11_900,
      amountDueCents: 11_900,
      nextDueAt: JUNE,
    });
    expect(dueStepOf(open, JUNE)).toBe("charge");
    expect(() => decide(open, finalize(), JUNE)).toThrow(
      expect.objectContaining({ code: "invoice_finalized" }),
    );
  });

  it("a zero total is settled as issued: nothing to charge", () => {
    const zero = run(renewalDraft(), finalize({}, []), JUNE);
    expect(zero).toMatchObject({ status: "paid", totalCents: 0, nextDueAt: null });
  });
});

describe("the customer's balance (Stripe's customer balance)", () => {
  it("lowers what the invoice asks, never below 0; the total stays the charges'", () => {
    const part = run(renewalDraft(), finalize({}, undefined, 1_500), JUNE);
    expect(part).toMatchObject({ totalCents: 4_900, appliedBalanceCents: 1_500, amountDueCents: 3_400 });
    expect(part.status).toBe("open");
    // More balance than the invoice asks: applies 49.00, the rest stays the customer's.
    const all = run(renewalDraft(), finalize({}, undefined, 10_000), JUNE);
    expect(all).toMatchObject({ appliedBalanceCents: 4_900, amountDueCents: 0, status: "paid" });
    // A negative balance (never written, but not trusted) applies nothing.
    expect(run(renewalDraft(), finalize({}, undefined, -500), JUNE).appliedBalanceCents).toBe(0);
  });

  it("a credit note beyond what an invoice asks goes to the balance: all of it on a paid invoice", () => {
    const open = run(renewalDraft(), finalize(), JUNE);
    const credit = (amountCents: number): InvoiceCommand => ({
      kind: "credit",
      creditNoteId: "cn_1",
      number: "CN-2026-000001",
      amountCents,
      reason: "goodwill",
    });
    const [partial] = decide(open, credit(1_000), JUNE);
    expect(partial?.data).toMatchObject({ amount_due_cents: 3_900, balance_credit_cents: 0 });
    const halfPaid = run(renewalDraft(), finalize({}, undefined, 4_000), JUNE); // asks 9.00
    const [beyond] = decide(halfPaid, credit(2_000), JUNE);
    expect(beyond?.data).toMatchObject({ amount_due_cents: 0, balance_credit_cents: 1_100 });
    const paid = run(open, attempt({ kind: "succeeded", paymentId: "pay_1" }), JUNE);
    const [refund] = decide(paid, credit(2_500), JUNE);
    expect(refund?.data).toMatchObject({ amount_due_cents: 0, balance_credit_cents: 2_500 });
  });
});

describe("refunds", () => {
  const note = (amountCents: number, refund: number): InvoiceCommand => ({
    kind: "credit",
    creditNoteId: "cn_1",
    number: "CN-2026-000001",
    amountCents,
    reason: "refund",
    refund: {
      refundId: "rf_1",
      creditNoteId: "cn_1",
      paymentId: "pay_1",
      paymentMethodId: "pm_card_visa",
      provider: "test",
      amountCents: refund,
    },
  });
  const paid = () =>
    run(run(renewalDraft(), finalize(), JUNE), attempt({ kind: "succeeded", paymentId: "pay_1" }), JUNE);

  const recorded = (outcome: RefundOutcome): InvoiceCommand => ({
    kind: "record_refund",
    refund: { refundId: "rf_1", creditNoteId: "cn_1", amountCents: 1_500, provider: "test" },
    outcome,
  });
  const made: RefundOutcome = {
    kind: "succeeded",
    providerRefundId: "re_1",
    paymentId: "pay_1",
    paymentMethodId: "pm_card_visa",
  };

  it("a credit note on a paid invoice records its whole amount as a pending refund, with the note", () => {
    const events = decide(paid(), note(1_500, 1_500), JUNE);
    expect(events.map((e) => e.type)).toEqual([
      "platform.billing.CreditNoteIssued",
      "platform.billing.RefundRequested",
    ]);
    expect(events[0]?.data).toMatchObject({ balance_credit_cents: 0 });
    const pending = run(paid(), note(1_500, 1_500), JUNE);
    expect(pending).toMatchObject({ refundedCents: 0, pendingRefundCents: 1_500, creditedCents: 1_500 });
    // Left pending, the scheduler completes it after the request's own chance.
    expect(dueStepOf(pending, JUNE)).toBeNull();
    expect(dueStepOf(pending, new Date(JUNE.getTime() + REFUND_SWEEP_AFTER_MS))).toBe("refund");
  });

  it("a pending refund is not refundable again; made, it is refunded and nothing is due", () => {
    // $40.00 of $49.00 came from the balance: $9.00 paid, pending refund, leaves nothing to refund.
    const fromBalance = run(
      run(renewalDraft(), finalize({}, undefined, 4_000), JUNE),
      attempt({ kind: "succeeded", paymentId: "pay_1" }),
      JUNE,
    );
    expect(() => decide(run(fromBalance, note(900, 900), JUNE), note(900, 900), JUNE)).toThrow(
      expect.objectContaining({
        code: "refund_exceeds_payments",
        details: expect.objectContaining({ refundable_cents: 0 }),
      }),
    );
    const pending = run(paid(), note(1_500, 1_500), JUNE);
    const refunded = run(pending, recorded(made), JUNE);
    expect(refunded).toMatchObject({ refundedCents: 1_500, pendingRefundCents: 0, refundsDueAt: null });
    expect(refunded.nextDueAt).toBeNull();
    expect(decide(pending, recorded(made), JUNE)[0]).toMatchObject({
      type: "platform.billing.RefundIssued",
      data: { refund_id: "rf_1", provider_refund_id: "re_1", amount_cents: 1_500 },
    });
  });

  it("a failed refund frees its amount (RefundFailed); a refund recorded twice is refused", () => {
    const pending = run(paid(), note(1_500, 1_500), JUNE);
    const failed = run(pending, recorded({ kind: "failed", code: "refund_failed", message: null }), JUNE);
    expect(failed).toMatchObject({ refundedCents: 0, pendingRefundCents: 0, refundsDueAt: null });
    expect(() => decide(failed, recorded(made), JUNE)).toThrow(/pending/);
  });

  it("refuses a partial refund (the rest would go to the balance silently)", () => {
    expect(() => decide(paid(), note(1_500, 1_000), JUNE)).toThrow(
      expect.objectContaining({ code: "refund_exceeds_payments" }),
    );
  });

  it("refuses to refund more than was paid: $40.00 of $49.00 came from the balance", () => {
    const fromBalance = run(
      run(renewalDraft(), finalize({}, undefined, 4_000), JUNE),
      attempt({ kind: "succeeded", paymentId: "pay_1" }),
      JUNE,
    );
    expect(fromBalance.paidCents).toBe(900);
    expect(() => decide(fromBalance, note(2_000, 2_000), JUNE)).toThrow(
      expect.objectContaining({
        code: "refund_exceeds_payments",
        details: expect.objectContaining({ refundable_cents: 900 }),
      }),
    );
    expect(decide(fromBalance, note(900, 900), JUNE)).toHaveLength(2);
  });

  it("refuses a refund on an open invoice whose note only lowers what it asks", () => {
    const open = run(renewalDraft(), finalize(), JUNE);
    expect(() => decide(open, note(1_000, 0), JUNE)).toThrow(
      expect.objectContaining({ code: "refund_exceeds_payments" }),
    );
  });
});

describe("dunning (3 and 6 days, suspension on day 7)", () => {
  it("each failure keeps day 0 and points at the next retry still ahead, then at the suspension", () => {
    let s = run(renewalDraft(), finalize(), JUNE);
    s = run(s, attempt(declined), JUNE);
    expect(s).toMatchObject({ attempts: 1, firstFailedAt: JUNE, nextRetryAt: addDays(JUNE, 3) });
    expect(dueStepOf(s, addDays(JUNE, 2.9))).toBeNull();
    expect(dueStepOf(s, addDays(JUNE, 3))).toBe("retry");
    s = run(s, attempt(declined), addDays(JUNE, 3));
    expect(s.nextRetryAt).toEqual(addDays(JUNE, 6));
    // The customer tries a card between retries: the schedule does not move.
    s = run(s, attempt(declined), addDays(JUNE, 4));
    expect(s).toMatchObject({ attempts: 3, nextRetryAt: addDays(JUNE, 6) });
    s = run(s, attempt(declined), addDays(JUNE, 6));
    expect(s).toMatchObject({ nextRetryAt: null, nextDueAt: addDays(JUNE, 7) });
    expect(dueStepOf(s, addDays(JUNE, 7))).toBe("suspend");
    s = run(s, { kind: "mark_uncollectible" }, addDays(JUNE, 7));
    expect(s).toMatchObject({ status: "uncollectible", nextDueAt: null });
    // Still payable: paying it ends dunning.
    s = run(s, attempt({ kind: "succeeded", paymentId: "pay_y" }), addDays(JUNE, 9));
    expect(s).toMatchObject({ status: "paid", attempts: 5, paidCents: 4_900, amountDueCents: 0 });
    expect(() => decide(s, attempt(declined), addDays(JUNE, 9))).toThrow(
      expect.objectContaining({ code: "invoice_already_paid" }),
    );
  });

  it("a draft is not charged", () => {
    expect(() => decide(renewalDraft(), attempt(declined), JUNE)).toThrow(
      expect.objectContaining({ code: "invoice_not_finalized" }),
    );
  });
});

describe("credit notes", () => {
  const credit = (amountCents: number): InvoiceCommand => ({
    kind: "credit",
    creditNoteId: "cn_1",
    number: "CN-2026-000001",
    amountCents,
    reason: "outage",
  });

  it.each<[string, number, string]>([
    ["more than the invoice", 4_901, "credit_note_exceeds_invoice"],
    ["nothing", 0, "invalid_request_body"],
    ["a fraction of a cent", 0.5, "invalid_request_body"],
  ])("refuses %s (%s)", (_name, amount, code) => {
    const open = run(renewalDraft(), finalize(), JUNE);
    expect(() => decide(open, credit(amount), JUNE)).toThrow(expect.objectContaining({ code }));
  });

  it("lowers an open invoice's amount due; the rest of it settles the invoice; a draft takes none", () => {
    let s = run(renewalDraft(), finalize(), JUNE);
    s = run(s, credit(900), JUNE);
    expect(s).toMatchObject({ status: "open", creditedCents: 900, amountDueCents: 4_000 });
    s = run(s, credit(4_000), JUNE);
    expect(s).toMatchObject({ status: "paid", amountDueCents: 0, nextDueAt: null });
    expect(() => decide(s, credit(1), JUNE)).toThrow(
      expect.objectContaining({ code: "credit_note_exceeds_invoice" }),
    );
    expect(() => decide(renewalDraft(), credit(1), JUNE)).toThrow(
      expect.objectContaining({ code: "invoice_not_finalized" }),
    );
  });
});

describe("billing moments", () => {
  const subscribed = () => {
    const trial = decideSubscription(
      null,
      { kind: "start_trial", id: "sub_1", plan: plan("professional") },
      JUNE,
    );
    let state = null as ReturnType<typeof evolveSubscription> | null;
    trial.forEach((event, i) => {
      state = evolveSubscription(state, {
        ...event,
        data: { account_id: "acc_1", ...event.data, occurred_at: JUNE.getTime(), actor: null },
        version: i + 1,
        occurredAt: JUNE,
      } as never);
    });
    if (!state) throw new Error("no subscription");
    return state;
  };

  it("a trial converting: the first period's base fee; a trial ending without payment method: nothing", () => {
    const trialing = { ...subscribed(), paymentMethodId: "pm_card_visa" };
    const end = addDays(JUNE, 14);
    const drafts = invoicesFor(trialing, decideSubscription(trialing, { kind: "run_due" }, end));
    expect(drafts).toMatchObject([
      {
        billingReason: "subscription_create",
        lines: [{ kind: "base", amount_cents: 19_900, period_start: end }],
        usagePeriod: null,
      },
    ]);
    const lapsing = subscribed();
    expect(invoicesFor(lapsing, decideSubscription(lapsing, { kind: "run_due" }, end))).toEqual([]);
  });

  it("an upgrade during the trial is free: no invoice", () => {
    const trialing = subscribed();
    const events = decideSubscription(
      trialing,
      { kind: "change_plan", plan: plan("enterprise"), interval: "month" },
      addDays(JUNE, 2),
    );
    expect(invoicesFor(trialing, events)).toEqual([]);
  });
});
