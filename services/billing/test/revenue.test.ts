/**
 * Revenue metrics from billing's own log (docs/billing.md, Revenue metrics), against real Kafka,
 * registry and Postgres: trials convert or lapse, a customer upgrades, one downgrades at the period's
 * end, one cancels; the ledger (`mrr_changes`, an inline projection) gives each organization's and the
 * operator's figures per month, a rebuild from the log gives the same figures, and neither an
 * organization's token nor a wrong token reaches the operator's view or another organization's.
 */
import { randomBytes } from "node:crypto";
import { type Harness, startBilling } from "./support/harness";

const OPERATOR_TOKEN = `op_${randomBytes(24).toString("hex")}`;
const DAY = 86_400_000;
let h: Harness;
/** TestClock moves with the wall clock from an offset: this sets where it stands now. */
const setClock = (at: string) => h.clock.advance(new Date(at).getTime() - h.clock.now().getTime());
const sub = (accountId: string, tail = "") => `/v1/organizations/${accountId}/subscription${tail}`;
const metricsOf = (accountId: string) => `/v1/organizations/${accountId}/billing/metrics`;

async function post(accountId: string, tail: string, body: unknown = {}): Promise<void> {
  const res = await h.call("POST", sub(accountId, tail), { token: await h.token(accountId), body });
  if (res.status !== 200) throw new Error(`POST ${tail}: ${res.status} ${JSON.stringify(res.body)}`);
}

const operator = (query: string, token = OPERATOR_TOKEN) =>
  h.call("GET", `/v1/billing/metrics${query}`, { token });

let upgrader: string;
let downgrader: string;
let canceler: string;
let lapser: string;

beforeAll(async () => {
  h = await startBilling({ BILLING_OPERATOR_TOKEN: OPERATOR_TOKEN });
  setClock("2030-01-02T10:00:00Z");
  upgrader = (await h.organization("Upgrades")).accountId;
  downgrader = (await h.organization("Downgrades")).accountId;
  canceler = (await h.organization("Cancels")).accountId;
  lapser = (await h.organization("Lapses")).accountId;
  for (const accountId of [upgrader, downgrader, canceler])
    await post(accountId, "/payment-method", { payment_method_id: "pm_card_visa" });
  // January 16: three trials convert to Professional ($199.00 a month), one lapses.
  h.clock.advance(14 * DAY);
  await h.service.runScheduler();
  // February 1: an upgrade to Enterprise now, a downgrade to Starter and a cancellation at the period's end.
  setClock("2030-02-01T10:00:00Z");
  await post(upgrader, "/upgrade", { plan_id: "enterprise" });
  await post(downgrader, "/downgrade", { plan_id: "starter" });
  await post(canceler, "/cancel", { at_period_end: true });
  // February 17: the periods ended on the 16th: a renewal, the downgrade in force, the cancellation's end.
  setClock("2030-02-17T10:00:00Z");
  await h.service.runScheduler();
}, 180_000);
afterAll(() => h?.close());

describe("the operator's figures across every organization", () => {
  it("classifies January's conversions as new MRR and counts trial-to-paid conversion", async () => {
    const res = await operator("?from=2030-01&to=2030-02");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scope: "platform", from: "2030-01", to: "2030-02", currency: "USD" });
    const [january] = res.body.months;
    expect(january).toEqual({
      month: "2030-01",
      mrr_start_cents: 0,
      mrr_end_cents: 59_700, // 3 × $199.00
      arr_end_cents: 716_400,
      new_cents: 59_700,
      expansion_cents: 0,
      contraction_cents: 0,
      churn_cents: 0,
      reactivation_cents: 0,
      customers_start: 0,
      customers_end: 3,
      churned_customers: 0,
      logo_churn_rate: null,
      gross_mrr_churn_rate: null,
      net_mrr_churn_rate: null,
      net_revenue_retention: null,
      arpa_cents: 19_900,
      ltv_cents: null,
      trials_ended: 4,
      trials_converted: 3,
      trial_conversion_rate: 0.75,
    });
  });

  it("classifies February's upgrade, downgrade at the period's end and cancellation", async () => {
    const res = await operator("?from=2030-02&to=2030-02");
    expect(res.body.months).toHaveLength(1);
    expect(res.body.months[0]).toEqual({
      month: "2030-02",
      mrr_start_cents: 59_700,
      mrr_end_cents: 104_800, // $999.00 + $49.00
      arr_end_cents: 1_257_600,
      new_cents: 0,
      expansion_cents: 80_000, // professional → enterprise
      contraction_cents: 15_000, // professional → starter at the renewal
      churn_cents: 19_900, // the cancellation in force
      reactivation_cents: 0,
      customers_start: 3,
      customers_end: 2,
      churned_customers: 1,
      logo_churn_rate: 0.333333, // 1 of 3
      gross_mrr_churn_rate: 0.58459, // (19,900 + 15,000) / 59,700
      net_mrr_churn_rate: -0.755444, // (34,900 − 80,000) / 59,700: net expansion
      net_revenue_retention: 1.755444, // (59,700 + 80,000 − 15,000 − 19,900) / 59,700
      arpa_cents: 52_400, // 104,800 / 2
      ltv_cents: 157_200, // 52,400 / 0.333333
      trials_ended: 0,
      trials_converted: 0,
      trial_conversion_rate: null,
    });
  });

  it("lists the months of the range before any revenue, and defaults to the year up to this month", async () => {
    const early = await operator("?from=2029-11&to=2030-01");
    expect(early.body.months.map((m: { month: string }) => m.month)).toEqual([
      "2029-11",
      "2029-12",
      "2030-01",
    ]);
    expect(early.body.months[0]).toMatchObject({ mrr_end_cents: 0, customers_end: 0, arpa_cents: null });
    const year = await operator("");
    expect(year.body).toMatchObject({ from: "2029-03", to: "2030-02" });
    expect(year.body.months).toHaveLength(12);
  });
});

describe("an organization's own figures", () => {
  it("are its movements only", async () => {
    const res = await h.call("GET", `${metricsOf(upgrader)}?from=2030-01&to=2030-02`, {
      token: await h.token(upgrader, "billing_manager"),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scope: "organization", account_id: upgrader });
    const [january, february] = res.body.months;
    expect(january).toMatchObject({ new_cents: 19_900, mrr_end_cents: 19_900, trials_converted: 1 });
    expect(february).toMatchObject({ expansion_cents: 80_000, mrr_end_cents: 99_900, churn_cents: 0 });
    const lapsed = await h.call("GET", `${metricsOf(lapser)}?from=2030-01&to=2030-01`, {
      token: await h.token(lapser),
    });
    expect(lapsed.body.months[0]).toMatchObject({
      trials_ended: 1,
      trial_conversion_rate: 0,
      mrr_end_cents: 0,
    });
    const canceled = await h.call("GET", `${metricsOf(canceler)}?from=2030-02&to=2030-02`, {
      token: await h.token(canceler),
    });
    expect(canceled.body.months[0]).toMatchObject({ churn_cents: 19_900, logo_churn_rate: 1 });
  });

  it("need billing.read in that organization, and no other organization's token reads them", async () => {
    const other = await h.call("GET", metricsOf(upgrader), { token: await h.token(downgrader) });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe("account_mismatch");
    const member = await h.call("GET", metricsOf(upgrader), { token: await h.token(upgrader, "member") });
    expect(member.status).toBe(403);
    expect(member.body.code).toBe("permission_denied");
    expect((await h.call("GET", metricsOf(upgrader))).status).toBe(401);
  });
});

describe("the operator's route", () => {
  it("refuses an organization's token, however privileged, and a wrong or missing token", async () => {
    const owner = await operator("", await h.token(upgrader, "owner"));
    expect(owner.status).toBe(403);
    expect(owner.body.code).toBe("operator_only");
    const wrong = await operator("", `${OPERATOR_TOKEN}x`);
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe("operator_only");
    const none = await h.call("GET", "/v1/billing/metrics");
    expect(none.status).toBe(401);
    expect(none.body.code).toBe("token_missing");
  });
});

describe("bad month ranges", () => {
  it.each([
    ["?from=2030-13", "invalid_month_range"],
    ["?from=2030-1", "invalid_month_range"],
    ["?to=last-month", "invalid_month_range"],
    ["?from=2030-03&to=2030-02", "invalid_month_range"],
    ["?from=2000-01&to=2030-02", "month_range_too_long"],
    ["?from=2030-01&period=month", "invalid_month_range"],
  ])("%s → 400 %s (problem+json)", async (query, code) => {
    const res = await operator(query);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe(code);
    const own = await h.call("GET", `${metricsOf(upgrader)}${query}`, { token: await h.token(upgrader) });
    expect(own.body.code).toBe(code);
  });
});

describe("a paid subscription again after the last one ended (POST .../subscription)", () => {
  const subscribe = async (accountId: string, body: unknown) =>
    h.call("POST", sub(accountId), { token: await h.token(accountId), body });

  it("is refused while one is live, for an unknown plan, and without a payment method", async () => {
    setClock("2030-03-03T10:00:00Z");
    const live = await subscribe(upgrader, { plan_id: "starter" });
    expect(live.status).toBe(409);
    expect(live.body.code).toBe("subscription_exists");
    const unknown = await subscribe(canceler, { plan_id: "platinum" });
    expect([unknown.status, unknown.body.code]).toEqual([400, "unknown_plan"]);
    const noCard = await subscribe(lapser, { plan_id: "starter" });
    expect([noCard.status, noCard.body.code]).toEqual([400, "payment_method_required"]);
    const bad = await subscribe(lapser, { plan_id: "starter", interval: "week" });
    expect([bad.status, bad.body.code]).toEqual([400, "invalid_request_body"]);
    const reader = await h.call("POST", sub(lapser), {
      token: await h.token(lapser, "admin"),
      body: { plan_id: "starter" },
    });
    expect([reader.status, reader.body.code]).toEqual([403, "permission_denied"]);
    expect((await h.service.subscriptions.get(lapser)).status).toBe("ended");
  });

  it("starts a new term (SubscriptionCreated) that the metrics count as reactivation or new", async () => {
    const again = await subscribe(canceler, { plan_id: "professional" }); // the card on file
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({
      status: "active",
      interval: "month",
      mrr_cents: 19_900,
      // A new period from now (the test clock moves on with the wall clock from where it was set).
      current_period_start: expect.stringMatching(/^2030-03-03T10:00:0/),
      current_period_end: expect.stringMatching(/^2030-04-03T10:00:0/),
      ends_at: null,
      trial_end: null,
    });
    const first = await subscribe(lapser, {
      plan_id: "starter",
      payment_method: { payment_method_id: "pm_card_mastercard", last4: "4444" },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: "active",
      mrr_cents: 4900,
      payment_method_id: "pm_card_mastercard",
    });
    const events = await h.service.db.$transaction((tx) =>
      h.service.store.load(tx, first.body.subscription_id),
    );
    expect(events.slice(-2).map((event) => event.type.replace("platform.billing.", ""))).toEqual([
      "PaymentMethodAttached",
      "SubscriptionCreated",
    ]);
    expect((await subscribe(lapser, { plan_id: "enterprise" })).body.code).toBe("subscription_exists");
    const march = (await operator("?from=2030-03&to=2030-03")).body.months[0];
    expect(march).toMatchObject({
      reactivation_cents: 19_900, // paid before, churned in February, back
      new_cents: 4900, // the lapsed trial's first paid MRR
      mrr_start_cents: 104_800,
      mrr_end_cents: 129_600,
      customers_end: 4,
    });
  });
});

describe("replay", () => {
  it("gives the same figures after the ledger and the subscriptions are rebuilt from the log", async () => {
    const live = await operator("?from=2030-01&to=2030-03");
    const liveOwn = await h.call("GET", `${metricsOf(downgrader)}?from=2030-01&to=2030-02`, {
      token: await h.token(downgrader),
    });
    await h.service.rebuildAll();
    expect((await operator("?from=2030-01&to=2030-03")).body).toEqual(live.body);
    const rebuiltOwn = await h.call("GET", `${metricsOf(downgrader)}?from=2030-01&to=2030-02`, {
      token: await h.token(downgrader),
    });
    expect(rebuiltOwn.body).toEqual(liveOwn.body);
    expect(liveOwn.body.months[1]).toMatchObject({ contraction_cents: 15_000, mrr_end_cents: 4900 });
  });
});
