/**
 * The catalog's plan versions (docs/billing.md, Plans): every version in catalog/plans.json is
 * published once as PlanPublished at start (idempotent across restarts), a price change is a new
 * version, and a subscription keeps the version it was sold until it changes plan, while new ones get
 * the newest. The catalog file here is the repository's plus Professional v2 at $249.00: the first
 * deploy runs without v2, the second with it.
 */
import type { PlanPublished } from "@platform/contracts";
import { CATALOG_PLANS } from "../src/domain/catalog";
import { BillingEvent } from "../src/domain/events";
import { planAggregateId } from "../src/domain/publications";
import { BillingService } from "../src/service";
import { type Harness, startBilling } from "./support/harness";

jest.mock("../catalog/plans.json", () => {
  const actual = jest.requireActual("../catalog/plans.json");
  const professional = actual.plans.find((plan: { plan_id: string }) => plan.plan_id === "professional");
  return {
    ...actual,
    plans: [...actual.plans, { ...professional, version: 2, monthly_price_cents: 24_900 }],
  };
});

const DAY = 86_400_000;
const WITHOUT_V2 = CATALOG_PLANS.filter((plan) => !(plan.plan_id === "professional" && plan.version === 2));
let h: Harness;

beforeAll(async () => {
  h = await startBilling({}, { catalog: WITHOUT_V2 });
}, 120_000);
afterAll(() => h?.close());

const publishedOf = async (planId: string) =>
  (await h.service.db.$transaction((tx) => h.service.store.load(tx, planAggregateId(planId)))).map(
    (event) => ({
      type: event.type,
      version: event.version,
      data: event.data as unknown as PlanPublished,
    }),
  );

let veteran: string;

it("publishes each plan version once at start, with its prices and charges", async () => {
  const [professional, ...more] = await publishedOf("professional");
  expect(more).toEqual([]);
  expect(professional).toMatchObject({
    type: BillingEvent.PlanPublished,
    version: 1,
    data: {
      version: 1,
      prices: { month: 19_900, year: 199_000 },
      plan: { plan_id: "professional", interval: "month", price_cents: 19_900 },
    },
  });
  expect(JSON.parse(professional?.data.charges ?? "")).toMatchObject({
    api_calls: { model: "package", package_size: 1000, package_price: "4.00" },
    storage_gb: { model: "graduated" },
  });
  expect(await publishedOf("starter")).toHaveLength(1);
  expect(await publishedOf("enterprise")).toHaveLength(1);
  await h.service.settled(); // the relay put them on billing.events (the registry took PlanPublished v2)
});

it("sells a new version to new subscriptions while existing ones renew at theirs", async () => {
  // Before the price change: an organization converts at Professional v1, $199.00.
  veteran = (await h.organization("Veteran")).accountId;
  await h.service.subscriptions.attachPaymentMethod(
    veteran,
    { id: "pm_card_visa", kind: "card", brand: null, last4: null },
    { type: "system", id: null, ip_address: null, user_agent: null },
  );
  h.clock.advance(15 * DAY);
  await h.service.runScheduler();
  expect(await h.service.subscriptions.get(veteran)).toMatchObject({ planVersion: 1, mrrCents: 19_900 });

  // The deploy with Professional v2: only v2 is published; a second restart publishes nothing.
  await h.restart({ catalog: CATALOG_PLANS });
  await h.restart({ catalog: CATALOG_PLANS });
  expect((await publishedOf("professional")).map((event) => event.data.version)).toEqual([1, 2]);
  expect(await publishedOf("starter")).toHaveLength(1);
  const plans = await h.call("GET", "/v1/plans", { token: await h.token(veteran) });
  expect(plans.body.data).toContainEqual(
    expect.objectContaining({
      plan_id: "professional",
      version: 2,
      prices: { month: 24_900, year: 249_000 },
    }),
  );

  // A new organization's trial is on v2; the veteran's renewal keeps v1's price.
  const newcomer = (await h.organization("Newcomer")).accountId;
  expect(await h.service.subscriptions.get(newcomer)).toMatchObject({ planVersion: 2 });
  await h.service.subscriptions.attachPaymentMethod(
    newcomer,
    { id: "pm_card_visa", kind: "card", brand: null, last4: null },
    { type: "system", id: null, ip_address: null, user_agent: null },
  );
  h.clock.advance(31 * DAY);
  await h.service.runScheduler();
  const renewed = await h.service.subscriptions.get(veteran);
  expect(renewed).toMatchObject({ status: "active", planVersion: 1, mrrCents: 19_900 });
  const events = await h.service.db.$transaction((tx) => h.service.store.load(tx, renewed.id));
  const renewal = events.filter((event) => event.type === BillingEvent.SubscriptionRenewed).at(-1);
  expect(renewal?.data).toMatchObject({ plan: { price_cents: 19_900 }, mrr_cents: 19_900 });
  expect(await h.service.subscriptions.get(newcomer)).toMatchObject({
    status: "active",
    planVersion: 2,
    mrrCents: 24_900,
  });
});

it("refuses to start when a published version was edited in the file: a change is a new version", async () => {
  const edited = CATALOG_PLANS.map((plan) =>
    plan.plan_id === "starter" ? { ...plan, monthly_price_cents: 5900 } : plan,
  );
  const service = new BillingService(h.service.config, h.clock, { catalog: edited });
  try {
    await expect(service.start()).rejects.toThrow(/starter v1 differs from what was published/);
  } finally {
    await service.stop().catch(() => undefined);
  }
  const dropped = CATALOG_PLANS.filter((plan) => !(plan.plan_id === "professional" && plan.version === 2));
  const older = new BillingService(h.service.config, h.clock, { catalog: dropped });
  try {
    await expect(older.start()).rejects.toThrow(/professional v2 was published and is missing/);
  } finally {
    await older.stop().catch(() => undefined);
  }
  expect(await publishedOf("starter")).toHaveLength(1);
});
