import { InvalidInputError } from "@platform/errors";
import { CATALOG_PLANS } from "../../src/domain/catalog";
import { type AppliedDiscount, assertValidDiscount, type Discount } from "../../src/domain/discounts";
import {
  assertValidPolicy,
  DEFAULT_DUNNING,
  dunningSchedule,
  nextDunningStep,
} from "../../src/domain/dunning";
import {
  adjustmentLine,
  baseLine,
  composeInvoice,
  invoiceNumber,
  overageLines,
} from "../../src/domain/invoices";
import { periodAt } from "../../src/domain/periods";
import { currentPlans } from "../../src/domain/plans";
import { changeKindOf, prorate } from "../../src/domain/proration";

const plans = currentPlans(CATALOG_PLANS);
const plan = (id: string) => {
  const found = plans.get(id);
  if (!found) throw new Error(`no plan ${id}`);
  return found;
};
const starter = { plan: plan("starter"), interval: "month" as const };
const professional = { plan: plan("professional"), interval: "month" as const };
const enterprise = { plan: plan("enterprise"), interval: "month" as const };
const june = { start: new Date("2026-06-01T00:00:00Z"), end: new Date("2026-07-01T00:00:00Z") }; // 30 days
const day = (n: number) => new Date(june.start.getTime() + n * 86_400_000);
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.code;
    throw error;
  }
  return "nothing thrown";
};

describe("changing plans", () => {
  it("tells an upgrade, a downgrade and an interval switch apart, and refuses the same plan", () => {
    expect(changeKindOf(starter, professional)).toBe("upgrade");
    expect(changeKindOf(enterprise, professional)).toBe("downgrade");
    expect(changeKindOf(professional, { ...professional, interval: "year" })).toBe("interval_switch");
    expect(codeOf(() => changeKindOf(professional, professional))).toBe("same_plan");
  });

  it("prorates an upgrade after 10 of 30 days: −$32.67 credit, +$132.67 charge, same period", () => {
    const { lines, period } = prorate(starter, professional, june, day(10));
    expect(lines.map((line) => [line.kind, line.amount_cents])).toEqual([
      ["proration", -3267],
      ["proration", 13_267],
    ]);
    expect(period).toEqual(june);
    expect(lines.map((line) => line.period_start)).toEqual([day(10), day(10)]);
  });

  it("prorates to the second: an upgrade in the period's last second costs almost nothing", () => {
    const { lines } = prorate(starter, professional, june, new Date(june.end.getTime() - 1000));
    // 1 s of 2,592,000: the credit rounds to nothing and is left out; the charge is 0 cents.
    expect(lines.map((line) => [line.kind, line.amount_cents])).toEqual([["proration", 0]]);
  });

  it("starts a new period on a switch to annual: credit for the unused month, the whole year in advance", () => {
    const { lines, period } = prorate(professional, { ...professional, interval: "year" }, june, day(15));
    expect(lines.map((line) => [line.kind, line.amount_cents])).toEqual([
      ["proration", -9950], // 199.00 × 15/30
      ["base", 199_000],
    ]);
    expect(period).toEqual(periodAt(day(15), "year", 0));
  });

  it("refuses to prorate a downgrade (it waits for the period's end) or a moment outside the period", () => {
    expect(codeOf(() => prorate(enterprise, starter, june, day(3)))).toBe("downgrade_not_prorated");
    expect(() => prorate(starter, professional, june, june.end)).toThrow(RangeError);
  });
});

describe("discounts", () => {
  const base: Discount = {
    discount_id: "d1",
    kind: "percent",
    percent_off: "20",
    duration: "repeating",
    duration_in_periods: 3,
    valid_from: new Date("2026-01-01T00:00:00Z"),
    valid_until: new Date("2027-01-01T00:00:00Z"),
  };

  it.each<[string, Partial<Discount>]>([
    ["a negative percentage", { percent_off: "-5" }],
    ["more than 100%", { percent_off: "100.01" }],
    ["a zero amount", { kind: "amount", amount_off_cents: 0, percent_off: undefined }],
    ["an oversized amount", { kind: "amount", amount_off_cents: 100_000_001, percent_off: undefined }],
    ["a fractional amount", { kind: "amount", amount_off_cents: 10.5, percent_off: undefined }],
    ["a repeating discount without periods", { duration_in_periods: undefined }],
    ["periods on a forever discount", { duration: "forever" }],
    ["a window that ends before it starts", { valid_until: new Date("2025-01-01T00:00:00Z") }],
  ])("refuses %s with discount_invalid", (_, change) => {
    expect(codeOf(() => assertValidDiscount({ ...base, ...change }))).toBe("discount_invalid");
  });

  it("applies a repeating discount to N invoices, a once discount to one, a forever discount to all", () => {
    const charges = [baseLine(plan("professional"), "month", june)];
    const applied = (discount: Discount, invoices_discounted: number): AppliedDiscount => ({
      discount,
      applied_at: june.start,
      invoices_discounted,
    });
    expect(composeInvoice(charges, [applied(base, 2)], june.start).discount_cents).toBe(3980);
    expect(composeInvoice(charges, [applied(base, 3)], june.start).discount_cents).toBe(0);
    const once = { ...base, duration: "once" as const, duration_in_periods: undefined };
    expect(composeInvoice(charges, [applied(once, 1)], june.start).discount_cents).toBe(0);
    const forever = { ...base, duration: "forever" as const, duration_in_periods: undefined };
    expect(composeInvoice(charges, [applied(forever, 40)], june.start).discount_cents).toBe(3980);
  });

  it("never takes more than the subtotal, with two discounts stacked in order", () => {
    const fixed: Discount = {
      ...base,
      discount_id: "d2",
      kind: "amount",
      amount_off_cents: 50_000,
      percent_off: undefined,
    };
    const invoice = composeInvoice(
      [baseLine(plan("professional"), "month", june)],
      [
        { discount: base, applied_at: june.start, invoices_discounted: 0 },
        { discount: fixed, applied_at: june.start, invoices_discounted: 0 },
      ],
      june.start,
    );
    expect([invoice.subtotal_cents, invoice.discount_cents, invoice.total_cents]).toEqual([
      19_900, 19_900, 0,
    ]);
    expect(invoice.lines.map((line) => line.amount_cents)).toEqual([19_900, -3980, -15_920]);
    expect(invoice.discounts_used).toEqual(["d1", "d2"]);
  });
});

describe("an invoice at a period's turn", () => {
  it("bills the new period in advance and the closed period's overages in arrears", () => {
    const starterPlan = plan("starter");
    const next = { start: june.end, end: new Date("2026-08-01T00:00:00Z") };
    const lines = [
      baseLine(starterPlan, "month", next),
      ...overageLines(starterPlan, june, { api_calls: 12_500, storage_gb: 130, users: 5, projects: 99 }),
    ];
    const invoice = composeInvoice(lines, [], next.start);
    // base 49.00; api calls 2,500 over → 3 packages × 5.00; storage 120 GB over → 100 × 0.50 + 20 × 0.25
    expect(invoice.lines.map((line) => [line.kind, line.metric, line.quantity, line.amount_cents])).toEqual([
      ["base", null, 1, 4900],
      ["overage", "storage_gb", 120, 5500],
      ["overage", "api_calls", 3, 1500],
    ]);
    expect(invoice.total_cents).toBe(11_900);
    expect(invoice.lines[1]?.period_end).toEqual(june.end);
  });

  it("adds no overage line within the limit, for an unlimited metric, or a metric without a charge", () => {
    expect(
      overageLines(plan("enterprise"), june, { users: 500, projects: 900, api_calls: 1_000_000 }),
    ).toEqual([]);
  });

  it("carries a credit beyond the charges instead of a negative total", () => {
    const credit = {
      ...baseLine(plan("starter"), "month", june),
      kind: "proration" as const,
      amount_cents: -6000,
    };
    const invoice = composeInvoice([baseLine(plan("starter"), "month", june), credit], [], june.start);
    expect([invoice.total_cents, invoice.credit_carried_cents]).toEqual([0, 1100]);
  });

  it("numbers invoices INV-<year>-<6 digits> and refuses a sequence out of range", () => {
    expect(invoiceNumber(2026, 42)).toBe("INV-2026-000042");
    expect(() => invoiceNumber(2026, 0)).toThrow(RangeError);
    expect(() => invoiceNumber(2026, 1_000_000)).toThrow(RangeError);
  });
});

describe("dunning", () => {
  const failed = new Date("2026-06-01T09:00:00Z");

  it("retries after 3 and 6 days and suspends at 7 by default (seed 001)", () => {
    expect(
      dunningSchedule(DEFAULT_DUNNING, failed).map((step) => [step.kind, step.at.toISOString().slice(0, 10)]),
    ).toEqual([
      ["retry", "2026-06-04"],
      ["retry", "2026-06-07"],
      ["suspend", "2026-06-08"],
    ]);
    expect(nextDunningStep(DEFAULT_DUNNING, failed, 3)).toBeNull();
    expect(nextDunningStep(DEFAULT_DUNNING, failed, 1)).toMatchObject({ kind: "retry", attempt: 3 });
  });

  it("refuses a schedule out of order or a suspension before the last retry", () => {
    expect(() => assertValidPolicy({ retry_after_days: [3, 2], suspend_after_days: 7 })).toThrow(RangeError);
    expect(() => assertValidPolicy({ retry_after_days: [3, 6], suspend_after_days: 6 })).toThrow(RangeError);
    expect(assertValidPolicy({ retry_after_days: [1], suspend_after_days: 2 })).toBeTruthy();
  });
});

describe("usage adjustments (Orb's amendments): the period re-rated with the change", () => {
  const professional = CATALOG_PLANS.find((p) => p.plan_id === "professional");
  if (!professional) throw new Error("professional");
  const may = { start: new Date("2026-05-01T00:00:00Z"), end: new Date("2026-06-01T00:00:00Z") };
  const adjust = (metric: string, quantity: number) => ({ id: "adj", period: may, metric, quantity });

  it.each([
    // 112,500 calls: 13 packages of 1,000 over 100,000. +2,500 → 115,000: 15 packages, +2 × $4.00.
    ["api_calls", 112_500, 2_500, 800],
    // Crossing the limit: only what goes beyond it costs (100,500 → 1 package).
    ["api_calls", 99_000, 1_500, 400],
    // Within the limit: nothing (no line).
    ["api_calls", 10_000, 5_000, null],
    // A negative change: a credit, down to the limit and no further.
    ["api_calls", 112_500, -20_000, -5_200],
    // Graduated storage: 130 GB → 140 GB over 100 at $0.40.
    ["storage_gb", 130, 10, 400],
    // A metric with no charge (a hard limit) is never billed.
    ["users", 30, 5, null],
  ])("%s: %d then %d → %p cents", (metric, total, quantity, cents) => {
    const line = adjustmentLine(professional, adjust(metric as string, quantity as number), total as number);
    if (cents === null) expect(line).toBeNull();
    else
      expect(line).toMatchObject({
        kind: "adjustment",
        metric,
        quantity: 1,
        amount_cents: cents,
        period_start: may.start,
      });
  });
});
