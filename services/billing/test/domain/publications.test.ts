import { CATALOG_PLANS } from "../../src/domain/catalog";
import type { Plan } from "../../src/domain/plans";
import { planPublishedOf, unpublishedVersions } from "../../src/domain/publications";

const starter = CATALOG_PLANS.find((plan) => plan.plan_id === "starter") as Plan;
const v2: Plan = { ...starter, version: 2, monthly_price_cents: 5900 };
const v3: Plan = { ...starter, version: 3, monthly_price_cents: 6900 };
const log = (...plans: Plan[]) => ({ planId: "starter", published: plans.map(planPublishedOf) });
const versions = (plans: Plan[]) => plans.map((plan) => plan.version);

describe("publishing the catalog's plan versions", () => {
  it("carries the monthly terms, the price per interval and the charges", () => {
    expect(planPublishedOf(v2)).toMatchObject({
      version: 2,
      prices: { month: 5900, year: 59_000 }, // a year is ten months
      plan: { plan_id: "starter", interval: "month", price_cents: 5900, limits: starter.limits },
    });
    expect(JSON.parse(planPublishedOf(v2).charges)).toEqual(starter.charges);
  });

  it.each<[string, Plan[], Plan[], number[]]>([
    ["nothing published yet: every version, in order", [v2, starter], [], [1, 2]],
    ["v1 published: v2 and v3", [v3, starter, v2], [starter], [2, 3]],
    ["all published: nothing (a restart)", [starter, v2], [starter, v2], []],
  ])("%s", (_name, catalog, published, expected) => {
    expect(versions(unpublishedVersions(catalog, log(...published)))).toEqual(expected);
  });

  it("refuses a catalog that disagrees with the log", () => {
    const edited = { ...starter, monthly_price_cents: 4500 };
    expect(() => unpublishedVersions([edited, v2], log(starter))).toThrow(
      "starter v1 differs from what was published: a change is a new version",
    );
    expect(() => unpublishedVersions([starter], log(starter, v2))).toThrow(
      "starter v2 was published and is missing from the catalog",
    );
    expect(() => unpublishedVersions([starter, v3], log(starter))).toThrow("starter v3 follows v1");
  });

  it("compares by value: the log's JSON keeps no key order", () => {
    const stored = JSON.parse(JSON.stringify(planPublishedOf(starter)), (_key, value) =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    );
    expect(versions(unpublishedVersions([starter, v2], { planId: "starter", published: [stored] }))).toEqual([
      2,
    ]);
  });
});
