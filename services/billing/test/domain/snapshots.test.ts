import { CATALOG_PLANS } from "../../src/domain/catalog";
import { currentPlans, type Plan } from "../../src/domain/plans";
import { planOfSnapshot, snapshotOf } from "../../src/domain/snapshots";

const starter = currentPlans(CATALOG_PLANS).get("starter") as Plan;

describe("plan snapshots (what the events carry)", () => {
  it("carries the price at the interval, the limits and one unit's overage price per charged metric", () => {
    expect(snapshotOf(starter, "year")).toEqual({
      plan_id: "starter",
      name: "Starter",
      interval: "year",
      price_cents: 49_000,
      currency: "USD",
      limits: { users: 5, projects: 10, storage_gb: 10, api_calls: 10_000 },
      // $5.00 per 1,000 calls is $0.005 a call; storage's first tier is $0.50 a GB.
      overage_unit_prices: { api_calls: "0.005", storage_gb: "0.50" },
      features: ["Basic support", "Email notifications", "API access"],
    });
  });

  it("finds the catalog version a snapshot was sold from by its terms, the old one after a price change", () => {
    const v2: Plan = { ...starter, version: 2, monthly_price_cents: 5900 };
    const catalog = [...CATALOG_PLANS, v2];
    expect(planOfSnapshot(snapshotOf(starter, "month"), catalog).version).toBe(1);
    expect(planOfSnapshot(snapshotOf(v2, "year"), catalog).version).toBe(2);
    expect(() => planOfSnapshot({ ...snapshotOf(starter, "month"), price_cents: 1 }, catalog)).toThrow(
      "no catalog version of starter sells at these terms",
    );
    expect(() => planOfSnapshot({ ...snapshotOf(starter, "month"), interval: "week" })).toThrow(RangeError);
  });
});
