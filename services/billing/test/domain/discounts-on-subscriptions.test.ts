import { PlatformError } from "@platform/errors";
import { CATALOG_PLANS } from "../../src/domain/catalog";
import { CATALOG_COUPONS, type CouponCatalog, couponsOf } from "../../src/domain/coupons";
import type { Discount } from "../../src/domain/discounts";
import { SYSTEM_ACTOR } from "../../src/domain/events";
import { composeInvoice } from "../../src/domain/invoices";
import { addDays } from "../../src/domain/periods";
import { currentPlans } from "../../src/domain/plans";
import { discountsOf, MAX_DISCOUNTS } from "../../src/domain/subscription-discounts";
import {
  decide,
  evolve,
  type SubscriptionCommand,
  type SubscriptionHistoryEvent,
  type SubscriptionState,
} from "../../src/domain/subscriptions";

const START = new Date("2026-06-01T00:00:00Z");
const professional = currentPlans(CATALOG_PLANS).get("professional");
if (!professional) throw new Error("no professional plan");

/** The commands in order at their times, folded as the store would (stamped, versioned, evolved). */
function run(steps: [SubscriptionCommand, Date][]): SubscriptionState {
  let state: SubscriptionState | null = null;
  for (const [command, at] of steps)
    for (const event of decide(state, command, at))
      state = evolve(state, {
        type: event.type,
        data: { account_id: "acc_1", ...event.data, occurred_at: at.getTime(), actor: SYSTEM_ACTOR },
        version: (state?.version ?? 0) + 1,
        occurredAt: at,
      } as SubscriptionHistoryEvent);
  if (!state) throw new Error("no subscription");
  return state;
}

const codeOf = (steps: [SubscriptionCommand, Date][]): string => {
  try {
    run(steps);
    return "nothing thrown";
  } catch (error) {
    if (error instanceof PlatformError) return error.code;
    throw error;
  }
};

const coupon = (id: string): Discount => {
  const found = CATALOG_COUPONS.get(id);
  if (!found) throw new Error(`no coupon ${id}`);
  const { name: _name, ...discount } = found;
  return discount;
};
const day = (n: number) => addDays(START, n);
const start: [SubscriptionCommand, Date] = [{ kind: "start_trial", id: "sub_1", plan: professional }, START];
const apply = (id: string, at = day(1)): [SubscriptionCommand, Date] => [
  { kind: "apply_discount", discount: coupon(id) },
  at,
];
const redeem = (ids: string[], at = day(2)): [SubscriptionCommand, Date] => [
  { kind: "redeem_discounts", invoiceId: "in_1", discountIds: ids },
  at,
];

describe("discounts on a subscription", () => {
  it("a coupon applied is kept in the state, with the catalog's terms and nothing redeemed yet", () => {
    const state = run([start, apply("LAUNCH20")]);
    expect(discountsOf(state)).toEqual([
      {
        discount: {
          discount_id: "LAUNCH20",
          kind: "percent",
          percent_off: "20",
          duration: "repeating",
          duration_in_periods: 3,
          valid_from: new Date("2026-01-01T00:00:00Z"),
          valid_until: null,
        },
        applied_at: day(1),
        invoices_discounted: 0,
      },
    ]);
  });

  it("invoices stack the state's discounts in the order applied; redeeming counts one invoice each", () => {
    // $199 − 20% = $159.20, − $50 = $109.20; then WELCOME50 (once) is spent and LAUNCH20 has 2 of 3 left.
    const state = run([start, apply("LAUNCH20"), apply("WELCOME50")]);
    const base = {
      kind: "base" as const,
      description: "Professional (monthly)",
      metric: null,
      quantity: 1,
      unit_price: "199.00",
      amount_cents: 19_900,
      period_start: day(14),
      period_end: day(44),
    };
    const first = composeInvoice([base], discountsOf(state), day(14));
    expect(first).toMatchObject({ discount_cents: 3980 + 5000, total_cents: 10_920 });
    const after = run([start, apply("LAUNCH20"), apply("WELCOME50"), redeem(first.discounts_used)]);
    expect(after.discounts.map((d) => [d.discount.discount_id, d.invoices_discounted])).toEqual([
      ["LAUNCH20", 1],
      ["WELCOME50", 1],
    ]);
    expect(composeInvoice([base], discountsOf(after), day(44))).toMatchObject({
      discount_cents: 3980,
      total_cents: 15_920,
      discounts_used: ["LAUNCH20"],
    });
  });

  it("a spent discount is not redeemed again, however often invoicing says so", () => {
    const state = run([start, apply("WELCOME50"), redeem(["WELCOME50"]), redeem(["WELCOME50"], day(3))]);
    expect(state.discounts[0]?.invoices_discounted).toBe(1);
    expect(decide(state, redeem(["WELCOME50", "NOPE"])[0], day(4))).toEqual([]);
  });

  it("a removed discount is gone from the state and may be applied again", () => {
    const removed = run([
      start,
      apply("PARTNER10"),
      [{ kind: "remove_discount", discountId: "PARTNER10", reason: null }, day(2)],
    ]);
    expect(removed.discounts).toEqual([]);
    expect(
      run([
        start,
        apply("PARTNER10"),
        [{ kind: "remove_discount", discountId: "PARTNER10", reason: "x" }, day(2)],
        apply("PARTNER10", day(3)),
      ]).discounts,
    ).toHaveLength(1);
  });

  it.each<[string, [SubscriptionCommand, Date][], string]>([
    ["the same coupon twice", [start, apply("LAUNCH20"), apply("LAUNCH20")], "discount_already_applied"],
    [
      "a coupon after its window (SUMMER2026 on Sep 1)",
      [start, apply("SUMMER2026", new Date("2026-09-01T00:00:00Z"))],
      "coupon_expired",
    ],
    [
      "a coupon before its window",
      [start, apply("SUMMER2026", new Date("2026-05-31T23:59:59Z"))],
      "coupon_not_yet_valid",
    ],
    [
      "removing a discount never applied",
      [start, [{ kind: "remove_discount", discountId: "LAUNCH20", reason: null }, day(1)]],
      "discount_not_found",
    ],
    [
      "a coupon on an ended subscription",
      [start, [{ kind: "cancel", atPeriodEnd: false, reason: null }, day(1)], apply("LAUNCH20", day(2))],
      "subscription_ended",
    ],
  ])("refuses %s", (_what, steps, code) => {
    expect(codeOf(steps)).toBe(code);
  });

  it("SUMMER2026 is redeemable inside its window", () => {
    expect(run([start, apply("SUMMER2026", new Date("2026-08-31T23:59:59Z"))]).discounts).toHaveLength(1);
  });

  it(`takes at most ${MAX_DISCOUNTS} live discounts`, () => {
    const many = ["A", "B", "C", "D", "E", "F"].map((letter, i): [SubscriptionCommand, Date] => [
      { kind: "apply_discount", discount: { ...coupon("PARTNER10"), discount_id: `PARTNER_${letter}` } },
      day(1 + i),
    ]);
    expect(codeOf([start, ...many])).toBe("too_many_discounts");
    expect(codeOf([start, ...many.slice(0, MAX_DISCOUNTS)])).toBe("nothing thrown");
  });
});

describe("the coupon catalog", () => {
  const entry = {
    coupon_id: "GOOD",
    name: "good",
    kind: "percent",
    percent_off: "10",
    duration: "forever",
    valid_from: "2026-01-01T00:00:00Z",
    valid_until: null,
  };
  const problemsOf = (coupons: Partial<CouponCatalog["coupons"][number]>[]): string[] => {
    try {
      couponsOf({ catalog_version: 1, coupons: coupons.map((c) => ({ ...entry, ...c })) });
      return [];
    } catch (error) {
      expect(error).toMatchObject({ code: "discount_invalid", kind: "invalid_input" });
      return ((error as PlatformError).details as { problems: string[] }).problems;
    }
  };

  it("loads the repository's coupons", () => {
    expect([...CATALOG_COUPONS.keys()]).toEqual(["LAUNCH20", "WELCOME50", "PARTNER10", "SUMMER2026"]);
  });

  it.each<[string, Partial<CouponCatalog["coupons"][number]>, RegExp]>([
    [
      "a negative amount",
      { kind: "amount", percent_off: undefined, amount_off_cents: -500 },
      /amount_off_cents/,
    ],
    [
      "an oversized amount",
      { kind: "amount", percent_off: undefined, amount_off_cents: 100_000_001 },
      /amount_off_cents/,
    ],
    [
      "a fractional amount",
      { kind: "amount", percent_off: undefined, amount_off_cents: 12.5 },
      /amount_off_cents/,
    ],
    ["more than 100 percent", { percent_off: "100.01" }, /percent_off/],
    ["a negative percentage", { percent_off: "-5" }, /percent_off/],
    ["a window that ends before it starts", { valid_until: "2025-12-31T00:00:00Z" }, /valid_until/],
    ["a repeating coupon without a count", { duration: "repeating" }, /duration_in_periods/],
    ["an unknown kind", { kind: "bogus" }, /kind/],
    ["a lower-case id", { coupon_id: "lower" }, /coupon id/],
  ])("refuses %s with discount_invalid", (_what, change, problem) => {
    expect(problemsOf([change]).join("; ")).toMatch(problem);
  });

  it("names every problem at once, and a duplicate id", () => {
    expect(problemsOf([{ percent_off: "0" }, { coupon_id: "GOOD" }, { valid_from: "nope" }])).toEqual([
      "GOOD: percent_off must be more than 0 and at most 100, with at most two decimals",
      "GOOD is listed twice",
      "GOOD is listed twice",
      "GOOD: valid_from and valid_until must be ISO times",
    ]);
  });
});
