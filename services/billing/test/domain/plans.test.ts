import { CATALOG_PLANS } from "../../src/domain/catalog";
import { periodAt, periodIndexAt } from "../../src/domain/periods";
import { currentPlans, mrrOf, type Plan, plansOf, priceOf } from "../../src/domain/plans";

const plan = (id: string) => {
  const found = currentPlans(CATALOG_PLANS).get(id);
  if (!found) throw new Error(`no plan ${id}`);
  return found;
};

describe("the plan catalog", () => {
  it("sells seed 001's three plans at $49, $199 and $999 a month, an annual price being ten months", () => {
    expect(
      ["starter", "professional", "enterprise"].map((id) => [
        priceOf(plan(id), "month"),
        priceOf(plan(id), "year"),
      ]),
    ).toEqual([
      [4900, 49_000],
      [19_900, 199_000],
      [99_900, 999_000],
    ]);
    expect(plan("enterprise").limits.users).toBe(-1);
    expect(mrrOf(plan("professional"), "year")).toBe(16_583); // 1,990.00 / 12
  });

  it("keeps older versions of a plan and sells the newest", () => {
    const v2: Plan = { ...plan("starter"), version: 2, monthly_price_cents: 5900 };
    const plans = [...CATALOG_PLANS, v2];
    expect(currentPlans(plans).get("starter")?.monthly_price_cents).toBe(5900);
    expect(plans.filter((p) => p.plan_id === "starter").map((p) => p.version)).toEqual([1, 2]);
  });

  it("refuses a catalog with a duplicate version, a fractional price, a bad limit or charge, naming each", () => {
    const starter = CATALOG_PLANS[0];
    if (!starter) throw new Error("empty catalog");
    const { currency: _currency, ...entry } = starter;
    expect(() =>
      plansOf({
        catalog_version: 1,
        currency: "USD",
        plans: [
          entry,
          entry,
          { ...entry, plan_id: "odd", monthly_price_cents: 49.5, limits: { ...entry.limits, users: -2 } },
          {
            ...entry,
            plan_id: "bad",
            charges: { api_calls: { model: "package", package_size: 0, package_price: "5" } },
          },
        ],
      }),
    ).toThrow(
      /starter@v1 is listed twice.*odd@v1 monthly_price_cents must be a whole number.*odd@v1: limit users is -2.*bad@v1 api_calls: package_size/,
    );
  });
});

describe("billing periods", () => {
  it("counts months from the anchor, so the 31st bills on the last day of shorter months without drifting", () => {
    const anchor = new Date("2026-01-31T10:00:00Z");
    const starts = [0, 1, 2, 3].map((i) => periodAt(anchor, "month", i).start.toISOString().slice(0, 10));
    expect(starts).toEqual(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]);
    expect(periodAt(anchor, "year", 0).end.toISOString()).toBe("2027-01-31T10:00:00.000Z");
  });

  it("finds the period a moment falls in (start inclusive, end exclusive)", () => {
    const anchor = new Date("2026-01-15T00:00:00Z");
    expect(periodIndexAt(anchor, "month", new Date("2026-01-15T00:00:00Z"))).toBe(0);
    expect(periodIndexAt(anchor, "month", new Date("2026-02-14T23:59:59Z"))).toBe(0);
    expect(periodIndexAt(anchor, "month", new Date("2026-02-15T00:00:00Z"))).toBe(1);
    expect(periodIndexAt(anchor, "month", new Date("2027-03-01T00:00:00Z"))).toBe(13);
    expect(() => periodIndexAt(anchor, "month", new Date("2026-01-01T00:00:00Z"))).toThrow(RangeError);
  });
});
