/**
 * The billing service in process against real Kafka, registry and Postgres: tenancy's
 * OrganizationCreated starts a trial (once), the HTTP API changes the subscription through the
 * aggregate, the scheduler runs trial ends and renewals by the service's clock, and every change is an
 * event on billing.events.
 */

import { TenancyEvent } from "@platform/contracts";
import { ALL_ROWS, inTenant, lookupAcrossTenants } from "@platform/database";
import { Headers, readHeader } from "@platform/messaging";
import { waitFor } from "@platform/testkit";
import { CROSS_TENANT } from "../src/app/tenant";
import { BillingEvent } from "../src/domain/events";
import { addDays, periodAt } from "../src/domain/periods";
import { type Harness, organizationCreated, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling();
});
afterAll(() => h?.close());

const DAY = 86_400_000;
/** TestClock moves with the wall clock from an offset: this sets where it stands now. */
const setClock = (at: Date) => h.clock.advance(at.getTime() - h.clock.now().getTime());
const path = (accountId: string, tail = "") => `/v1/organizations/${accountId}/subscription${tail}`;

/** The subscription's events in the store, by type name without the namespace, with their payloads. */
async function eventsOf(subscriptionId: string) {
  const events = await h.service.db.$transaction((tx) => h.service.store.load(tx, subscriptionId));
  return events.map((event) => ({ type: event.type.replace("platform.billing.", ""), data: event.data }));
}

/** An organization whose trial has converted: payment method attached, clock past the trial's end. */
async function paying(name: string) {
  const { accountId } = await h.organization(name);
  const token = await h.token(accountId);
  expect(
    (
      await h.call("POST", path(accountId, "/payment-method"), {
        token,
        body: { payment_method_id: "pm_card_visa" },
      })
    ).status,
  ).toBe(200);
  h.clock.advance(14 * DAY);
  await h.service.runScheduler();
  const subscription = await h.service.subscriptions.get(accountId);
  expect(subscription.status).toBe("active");
  // Minted per call: a token minted before the test moves the clock would have expired.
  return { accountId, token: () => h.token(accountId), subscription };
}

describe("a new organization's trial", () => {
  it("starts when tenancy announces the organization: 14 days of Professional, no MRR", async () => {
    const { accountId, subscription } = await h.organization("Initech");
    const answer = await h.call("GET", path(accountId), { token: await h.token(accountId) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      subscription_id: subscription.id,
      status: "trialing",
      plan: { plan_id: "professional", price_cents: 19_900, limits: { users: 25 }, version: 1 },
      interval: "month",
      mrr_cents: 0,
      trial_end: new Date(subscription.currentPeriodStart.getTime() + 14 * DAY).toISOString(),
      scheduled_downgrade: null,
    });
    expect((await eventsOf(subscription.id)).map((e) => e.type)).toEqual(["TrialStarted"]);
  });

  it("starts once, however often OrganizationCreated arrives", async () => {
    const { accountId, subscription } = await h.organization("Globex");
    // tenancy's event again (a replay at a later version; a same-version redelivery is skipped by the kit).
    await h.publish(
      "tenancy",
      TenancyEvent.OrganizationCreated,
      accountId,
      organizationCreated(accountId, "Globex"),
    );
    // Wait until billing's process projector has applied version 2 of the organization's events.
    await waitFor(
      async () =>
        (
          await h.service.db.$queryRawUnsafe<{ version: number }[]>(
            "SELECT version FROM platform_applied_versions WHERE consumer_group LIKE '%.processes' AND aggregate_id = $1",
            accountId,
          )
        )[0]?.version === 2 || undefined,
      { what: "the replayed OrganizationCreated to be applied" },
    );
    expect((await eventsOf(subscription.id)).map((e) => e.type)).toEqual(["TrialStarted"]);
    const rows = await h.service.db.$transaction((tx) =>
      lookupAcrossTenants(tx, CROSS_TENANT.subscriptions, ALL_ROWS, () =>
        tx.subscription.count({ where: { accountId } }),
      ),
    );
    expect(rows).toBe(1);
  });

  it("an upgrade mid-trial is immediate and free; the trial keeps its end", async () => {
    const { accountId, subscription } = await h.organization("Hooli");
    const answer = await h.call("POST", path(accountId, "/upgrade"), {
      token: await h.token(accountId),
      body: { plan_id: "enterprise" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "trialing", plan: { plan_id: "enterprise" }, mrr_cents: 0 });
    expect(answer.body.trial_end).toBe(subscription.trialEnd?.toISOString());
    const [, upgraded] = await eventsOf(subscription.id);
    expect(upgraded).toMatchObject({
      type: "SubscriptionUpgraded",
      data: {
        immediate: true,
        proration_cents: 0,
        previous_plan: { plan_id: "professional" },
        subscription_status: "trialing",
      },
    });
  });

  it("reminds 3 days before the end, then converts with a payment method and ends without one", async () => {
    const converting = await h.organization("Umbrella");
    const lapsing = await h.organization("Vandelay");
    await h.call("POST", path(converting.accountId, "/payment-method"), {
      token: await h.token(converting.accountId),
      body: { payment_method_id: "pm_card_visa", brand: "visa", last4: "4242" },
    });
    h.clock.advance(11 * DAY);
    await h.service.runScheduler();
    h.clock.advance(3 * DAY);
    await h.service.runScheduler();
    const types = async (id: string) => (await eventsOf(id)).map((e) => e.type);
    expect(await types(converting.subscription.id)).toEqual([
      "TrialStarted",
      "PaymentMethodAttached",
      "TrialWillEnd",
      "TrialEnded",
    ]);
    expect(await types(lapsing.subscription.id)).toEqual([
      "TrialStarted",
      "TrialWillEnd",
      "TrialEnded",
      "SubscriptionEnded",
    ]);
    expect(await h.service.subscriptions.get(converting.accountId)).toMatchObject({
      status: "active",
      mrrCents: 19_900,
    });
    expect(await h.service.subscriptions.get(lapsing.accountId)).toMatchObject({
      status: "ended",
      mrrCents: 0,
    });
  });
});

describe("a paying subscription", () => {
  it("an upgrade mid-period is prorated to the second: 10 days into the period, $199 → $999", async () => {
    const { accountId, token, subscription } = await paying("Stark");
    setClock(new Date(subscription.currentPeriodStart.getTime() + 10 * DAY));
    const answer = await h.call("POST", path(accountId, "/upgrade"), {
      token: await token(),
      body: { plan_id: "enterprise" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: "active",
      plan: { plan_id: "enterprise" },
      mrr_cents: 99_900,
    });
    const upgraded = (await eventsOf(subscription.id)).at(-1);
    // Credit for the unused seconds at the old price, charge for them at the new one (each rounded once).
    const seconds = (from: Date | number, to: Date) =>
      Math.floor((to.getTime() - new Date(from).getTime()) / 1000);
    const total = seconds(subscription.currentPeriodStart, subscription.currentPeriodEnd);
    const unused = seconds(Number(upgraded?.data.effective_at), subscription.currentPeriodEnd) / total;
    const days = (subscription.currentPeriodEnd.getTime() - subscription.currentPeriodStart.getTime()) / DAY;
    expect(unused).toBeCloseTo((days - 10) / days, 4);
    expect(upgraded).toMatchObject({
      type: "SubscriptionUpgraded",
      data: {
        immediate: true,
        previous_mrr_cents: 19_900,
        mrr_cents: 99_900,
        proration_cents: Math.round(99_900 * unused) - Math.round(19_900 * unused),
        current_period_end: subscription.currentPeriodEnd.getTime(),
      },
    });
  });

  it("a downgrade waits for the period's end, can be canceled, and applies at renewal", async () => {
    const { accountId, token, subscription } = await paying("Wayne");
    const downgrade = async () =>
      h.call("POST", path(accountId, "/downgrade"), { token: await token(), body: { plan_id: "starter" } });
    expect((await downgrade()).body).toMatchObject({
      plan: { plan_id: "professional" },
      scheduled_downgrade: {
        plan: { plan_id: "starter" },
        effective_at: subscription.currentPeriodEnd.toISOString(),
      },
    });
    expect(
      (await h.call("DELETE", path(accountId, "/scheduled-downgrade"), { token: await token() })).body
        .scheduled_downgrade,
    ).toBeNull();
    expect((await downgrade()).status).toBe(200);
    setClock(subscription.currentPeriodEnd);
    await h.service.runScheduler();
    const renewed = await h.call("GET", path(accountId), { token: await token() });
    expect(renewed.body).toMatchObject({
      plan: { plan_id: "starter" },
      mrr_cents: 4900,
      scheduled_downgrade: null,
      current_period_start: subscription.currentPeriodEnd.toISOString(),
    });
    expect((await eventsOf(subscription.id)).slice(-5).map((e) => e.type)).toEqual([
      "DowngradeScheduled",
      "DowngradeCanceled",
      "DowngradeScheduled",
      "SubscriptionDowngraded",
      "SubscriptionRenewed",
    ]);
  });

  it("switching to annual starts a year at once; canceling at the period's end ends it then", async () => {
    const { accountId, token, subscription } = await paying("Tyrell");
    const switched = await h.call("POST", path(accountId, "/billing-cycle"), {
      token: await token(),
      body: { interval: "year" },
    });
    expect(switched.body).toMatchObject({ interval: "year", mrr_cents: 16_583 });
    const year = periodAt(new Date(switched.body.current_period_start), "year", 0);
    expect(switched.body.current_period_end).toBe(year.end.toISOString());
    expect(new Date(switched.body.current_period_start) > subscription.currentPeriodStart).toBe(true);
    const canceled = await h.call("POST", path(accountId, "/cancel"), { token: await token(), body: {} });
    expect(canceled.body).toMatchObject({
      status: "canceled",
      cancel_at_period_end: true,
      ends_at: switched.body.current_period_end,
    });
    setClock(new Date(switched.body.current_period_end));
    await h.service.runScheduler();
    expect((await h.call("GET", path(accountId), { token: await token() })).body).toMatchObject({
      status: "ended",
      mrr_cents: 0,
    });
    expect((await eventsOf(subscription.id)).slice(-3).map((e) => e.type)).toEqual([
      "BillingCycleChanged",
      "SubscriptionCanceled",
      "SubscriptionEnded",
    ]);
  });

  it("publishes every event to billing.events through the relay, decodable with the registry's schemas", async () => {
    const stored = await h.service.db.$queryRawUnsafe<{ event_id: string; event_type: string }[]>(
      "SELECT event_id::text AS event_id, event_type FROM platform_events ORDER BY position",
    );
    const seen = new Map<string, string>();
    const consumer = h.service.kafka.consumer({ groupId: `${h.topics.billing}.reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: h.topics.billing, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const type = readHeader(message.headers, Headers.eventType) ?? "";
        // Every record decodes, the subscriptions', the catalog's (PlanPublished), the invoices' and the number series'.
        await h.service.serde.decode(message.value as Buffer);
        seen.set(readHeader(message.headers, Headers.eventId) ?? "", type);
      },
    });
    try {
      await waitFor(() => stored.every((event) => seen.has(event.event_id)) || undefined, {
        what: "every stored event on the topic",
      });
    } finally {
      await consumer.disconnect();
    }
    expect(stored.map((event) => seen.get(event.event_id))).toEqual(stored.map((event) => event.event_type));
    // The new record types went through the registry too.
    for (const type of [
      BillingEvent.TrialWillEnd,
      BillingEvent.DowngradeScheduled,
      BillingEvent.BillingCycleChanged,
      BillingEvent.SubscriptionEnded,
      BillingEvent.PlanPublished,
    ])
      expect([...seen.values()]).toContain(type);
  });
});

describe("two upgrades at once", () => {
  it("one commits, the other gets 409 concurrency_conflict and writes nothing", async () => {
    const { accountId, token, subscription } = await paying("Cyberdyne");
    // The first command has decided and appended on the version both read, and has not committed yet.
    let commit = () => {};
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let appended = () => {};
    const inFlight = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const first = inTenant(h.service.db, accountId, async (tx) => {
      await h.service.store.append(tx, {
        aggregate: { type: "subscription", id: subscription.id, tenantId: accountId },
        expectedVersion: subscription.version,
        events: [
          {
            type: BillingEvent.PaymentMethodAttached,
            data: {
              account_id: accountId,
              subscription_id: subscription.id,
              payment_method_id: "pm_card_mastercard",
              kind: "card",
              brand: null,
              last4: null,
              replaced_payment_method_id: "pm_card_visa",
              actor: { type: "system", id: null, ip_address: null, user_agent: null },
            },
          },
        ],
      });
      appended();
      await held;
    });
    await inFlight;
    const second = h.call("POST", path(accountId, "/upgrade"), {
      token: await token(),
      body: { plan_id: "enterprise" },
    });
    // The second has read version n, decided, and now waits on the (aggregate_id, version) index entry.
    await waitFor(
      async () =>
        Number(
          (
            await h.service.db.$queryRawUnsafe<{ n: bigint }[]>(
              "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
          )[0]?.n,
        ) > 0 || undefined,
      { what: "the second upgrade to wait on the first's insert" },
    );
    commit();
    await first;
    const answer = await second;
    expect([answer.status, answer.body.code]).toEqual([409, "concurrency_conflict"]);
    expect(await h.service.subscriptions.get(accountId)).toMatchObject({
      planId: "professional",
      paymentMethodId: "pm_card_mastercard",
      version: subscription.version + 1,
    });
  });
});

describe("who may do what", () => {
  it("a tenant cannot read or change another's subscription (403), nor see its row", async () => {
    const a = await h.organization("Oscorp");
    const b = await h.organization("Massive Dynamic");
    const intruder = await h.token(b.accountId);
    expect((await h.call("GET", path(a.accountId), { token: intruder })).body.code).toBe("account_mismatch");
    const post = await h.call("POST", path(a.accountId, "/upgrade"), {
      token: intruder,
      body: { plan_id: "enterprise" },
    });
    expect([post.status, post.body.code]).toEqual([403, "account_mismatch"]);
    // The second wall: row-level security shows b's transaction none of a's rows.
    expect(
      await inTenant(h.service.db, b.accountId, (tx) =>
        tx.subscription.findMany({ where: { accountId: a.accountId } }),
      ),
    ).toEqual([]);
  });

  it("billing.read to read, billing.manage to change: admin reads, billing_manager changes, member neither", async () => {
    const { accountId } = await h.organization("Soylent");
    const as = async (role: string) => h.token(accountId, role);
    expect((await h.call("GET", path(accountId), { token: await as("admin") })).status).toBe(200);
    const adminUpgrade = await h.call("POST", path(accountId, "/upgrade"), {
      token: await as("admin"),
      body: { plan_id: "enterprise" },
    });
    expect([adminUpgrade.status, adminUpgrade.body.code]).toEqual([403, "permission_denied"]);
    expect((await h.call("GET", path(accountId), { token: await as("member") })).body.code).toBe(
      "permission_denied",
    );
    const managed = await h.call("POST", path(accountId, "/upgrade"), {
      token: await as("billing_manager"),
      body: { plan_id: "enterprise" },
    });
    expect(managed.status).toBe(200);
    expect((await h.call("GET", path(accountId))).status).toBe(401);
  });

  it("lists the plans to any signed-in caller", async () => {
    const { accountId } = await h.organization("Pied Piper");
    const answer = await h.call("GET", "/v1/plans", { token: await h.token(accountId, "viewer") });
    expect(answer.body.data.map((p: { plan_id: string; prices: object }) => [p.plan_id, p.prices])).toEqual([
      ["starter", { month: 4900, year: 49_000 }],
      ["professional", { month: 19_900, year: 199_000 }],
      ["enterprise", { month: 99_900, year: 999_000 }],
    ]);
  });
});

describe("bad input", () => {
  it.each<[string, number, string, string, unknown]>([
    ["an unknown plan", 400, "unknown_plan", "/upgrade", { plan_id: "platinum" }],
    ["the same plan", 400, "same_plan", "/upgrade", { plan_id: "professional" }],
    ["a downgrade through /upgrade", 400, "not_an_upgrade", "/upgrade", { plan_id: "starter" }],
    ["an upgrade through /downgrade", 400, "not_a_downgrade", "/downgrade", { plan_id: "enterprise" }],
    ["no plan", 400, "invalid_request_body", "/upgrade", {}],
    ["an unknown field", 400, "invalid_request_body", "/upgrade", { plan_id: "enterprise", coupon: "FREE" }],
    ["a bad interval", 400, "invalid_request_body", "/billing-cycle", { interval: "week" }],
    [
      "a card number for a payment method",
      400,
      "invalid_request_body",
      "/payment-method",
      { payment_method_id: "4242424242424242" },
    ],
    [
      "canceling a downgrade never scheduled",
      409,
      "no_scheduled_downgrade",
      "/scheduled-downgrade",
      undefined,
    ],
  ])("%s → %i %s, and nothing written", async (_name, status, code, tail, body) => {
    const { accountId, subscription } = await paying(`Bad ${tail}`);
    const method = tail === "/scheduled-downgrade" ? "DELETE" : "POST";
    const answer = await h.call(method, path(accountId, tail), { token: await h.token(accountId), body });
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect((await h.service.subscriptions.get(accountId)).version).toBe(subscription.version);
  });

  it("an upgrade of a canceled subscription → 409 subscription_canceled", async () => {
    const { accountId, token } = await paying("Canceled Co");
    await h.call("POST", path(accountId, "/cancel"), { token: await token(), body: { at_period_end: true } });
    const answer = await h.call("POST", path(accountId, "/upgrade"), {
      token: await token(),
      body: { plan_id: "enterprise" },
    });
    expect([answer.status, answer.body.code]).toEqual([409, "subscription_canceled"]);
  });
});

it("rebuilds subscriptions from the log, at a later time, equal to the live rows", async () => {
  const all = () =>
    h.service.db.$transaction((tx) =>
      lookupAcrossTenants(tx, CROSS_TENANT.subscriptions, ALL_ROWS, () =>
        tx.subscription.findMany({ orderBy: { id: "asc" } }),
      ),
    );
  const live = await all();
  expect(live.length).toBeGreaterThan(10);
  setClock(addDays(h.clock.now(), 400));
  const replayed = await h.service.rebuildState();
  expect(replayed).toBeGreaterThan(live.length);
  expect(await all()).toEqual(live);
});
