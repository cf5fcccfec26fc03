/**
 * Test clocks against real Kafka, registry and Postgres (docs/billing.md, Test clocks): an organization's
 * subscription attached to its clock lives at the clock's time; advancing runs every scheduled step in
 * time order, each at its due moment; the service's scheduler leaves it alone; the clock moves only
 * forward, belongs to one organization, and stops when deleted or expired.
 */
import { addDays, periodAt } from "../src/domain/periods";
import { TEST_CLOCK_LIFETIME_DAYS } from "../src/domain/test-clocks";
import { type Harness, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling({ BILLING_TEST_CLOCKS: "true" });
});
afterAll(() => h?.close());

const DAY = 86_400_000;
const org = (accountId: string, tail = "") => `/v1/organizations/${accountId}${tail}`;

/** The subscription's events in the store: type without namespace, when, and the payload. */
async function eventsOf(subscriptionId: string) {
  const events = await h.service.db.$transaction((tx) => h.service.store.load(tx, subscriptionId));
  return events.map((event) => ({
    type: event.type.replace("platform.billing.", ""),
    at: event.occurredAt.toISOString(),
    data: event.data,
  }));
}

/** A new organization (tenancy's OrganizationCreated) with its own clock frozen at its trial's start, attached. */
async function onAClock(name: string, options: { paymentMethod?: boolean } = {}) {
  const { accountId, subscription } = await h.organization(name);
  const token = () => h.token(accountId);
  const start = subscription.currentPeriodStart;
  const created = await h.call("POST", org(accountId, "/test-clocks"), {
    token: await token(),
    body: { frozen_time: start.toISOString(), name },
  });
  expect(created.status).toBe(201);
  const clockId: string = created.body.test_clock_id;
  const attached = await h.call("POST", org(accountId, `/test-clocks/${clockId}/attach`), {
    token: await token(),
  });
  expect(attached.body).toMatchObject({ status: "trialing", test_clock_id: clockId });
  if (options.paymentMethod ?? true)
    expect(
      (
        await h.call("POST", org(accountId, "/subscription/payment-method"), {
          token: await token(),
          body: { payment_method_id: "pm_card_visa" },
        })
      ).status,
    ).toBe(200);
  const advance = async (to: Date) =>
    h.call("POST", org(accountId, `/test-clocks/${clockId}/advance`), {
      token: await token(),
      body: { frozen_time: to.toISOString() },
    });
  return { accountId, subscription, clockId, start, token, advance };
}

describe("advancing a test clock", () => {
  it("14 days on, a trial with a payment method converts and one without ends, each step at its moment", async () => {
    const converting = await onAClock("Clockwork Co");
    const lapsing = await onAClock("Lapsed Ltd", { paymentMethod: false });
    const trialEnd = addDays(converting.start, 14);

    const advanced = await converting.advance(trialEnd);
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({
      test_clock_id: converting.clockId,
      frozen_time: trialEnd.toISOString(),
      status: "ready",
      // The reminder, the conversion, and its invoice's finalization and charge.
      steps: 4,
    });
    expect((await eventsOf(converting.subscription.id)).map((e) => [e.type, e.at])).toEqual([
      ["TrialStarted", converting.start.toISOString()],
      ["TestClockAttached", converting.start.toISOString()],
      ["PaymentMethodAttached", converting.start.toISOString()],
      ["TrialWillEnd", addDays(converting.start, 11).toISOString()],
      ["TrialEnded", trialEnd.toISOString()],
    ]);
    expect(await h.service.subscriptions.get(converting.accountId)).toMatchObject({
      status: "active",
      mrrCents: 19_900,
      currentPeriodStart: trialEnd,
    });

    expect((await lapsing.advance(addDays(lapsing.start, 14))).status).toBe(200);
    expect((await eventsOf(lapsing.subscription.id)).map((e) => e.type).slice(-3)).toEqual([
      "TrialWillEnd",
      "TrialEnded",
      "SubscriptionEnded",
    ]);
    expect((await h.service.subscriptions.get(lapsing.accountId)).status).toBe("ended");
  });

  it("runs three months of renewals in one advance, in order, each at its period's start", async () => {
    const { subscription, start, advance } = await onAClock("Quarterly Inc");
    const anchor = addDays(start, 14);
    const periods = [1, 2, 3].map((i) => periodAt(anchor, "month", i));
    const third = periodAt(anchor, "month", 3);
    const answer = await advance(new Date(third.start.getTime() + 1000));
    // Five of the subscription's, and its invoices' (finalizations and charges).
    expect(answer.body.steps).toBeGreaterThanOrEqual(5);
    const events = await eventsOf(subscription.id);
    expect(events.slice(-5).map((e) => [e.type, e.at])).toEqual([
      ["TrialWillEnd", addDays(start, 11).toISOString()],
      ["TrialEnded", anchor.toISOString()],
      ...periods.map((p) => ["SubscriptionRenewed", p.start.toISOString()]),
    ]);
    expect(events.slice(-3).map((e) => e.data.current_period_start)).toEqual(
      periods.map((p) => p.start.getTime()),
    );
  });

  it("commands on an attached subscription happen at the clock's time, not the service's", async () => {
    const { accountId, subscription, start, advance, token } = await onAClock("Upgrader GmbH");
    const tenDaysIn = addDays(start, 24);
    await advance(tenDaysIn);
    const upgraded = await h.call("POST", org(accountId, "/subscription/upgrade"), {
      token: await token(),
      body: { plan_id: "enterprise" },
    });
    expect(upgraded.status).toBe(200);
    const last = (await eventsOf(subscription.id)).at(-1);
    expect(last).toMatchObject({ type: "SubscriptionUpgraded", at: tenDaysIn.toISOString() });
    expect(last?.data.effective_at).toBe(tenDaysIn.getTime());
    // 20 of the period's 30 or 31 days unused, $199 → $999: far from the service clock's day-1 proration.
    expect(Number(last?.data.proration_cents)).toBeGreaterThan(50_000);
  });

  it("moves only forward: backwards or standing still is refused and changes nothing", async () => {
    const { accountId, clockId, start, advance, subscription, token } = await onAClock("Backwards BV");
    await advance(addDays(start, 5));
    const before = (await eventsOf(subscription.id)).length;
    for (const to of [addDays(start, 4), addDays(start, 5)]) {
      const refused = await advance(to);
      expect({ status: refused.status, code: refused.body.code }).toEqual({
        status: 409,
        code: "test_clock_backwards",
      });
    }
    const clock = await h.call("GET", org(accountId, `/test-clocks/${clockId}`), { token: await token() });
    expect(clock.body.frozen_time).toBe(addDays(start, 5).toISOString());
    expect(await eventsOf(subscription.id)).toHaveLength(before);
    const bad = await advance(new Date("1999-12-31T00:00:00Z"));
    expect({ status: bad.status, code: bad.body.code }).toEqual({
      status: 400,
      code: "invalid_request_body",
    });
  });

  it("two advances at once: one runs the steps, the other is refused, and nothing runs twice", async () => {
    const { subscription, start, advance } = await onAClock("Racing Ltd");
    const to = addDays(start, 60);
    const answers = await Promise.all([advance(to), advance(to)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(["concurrency_conflict", "test_clock_backwards"]).toContain(
      answers.find((a) => a.status === 409)?.body.code,
    );
    const types = (await eventsOf(subscription.id)).map((e) => e.type);
    expect(types.filter((t) => t === "TrialEnded")).toHaveLength(1);
    expect(types.filter((t) => t === "SubscriptionRenewed")).toHaveLength(1);
  });

  it("a clock nobody follows moves nothing but itself", async () => {
    const { accountId, subscription } = await h.organization("Unattached AG");
    const token = await h.token(accountId);
    const created = await h.call("POST", org(accountId, "/test-clocks"), {
      token,
      body: { frozen_time: subscription.currentPeriodStart.toISOString() },
    });
    const advanced = await h.call(
      "POST",
      org(accountId, `/test-clocks/${created.body.test_clock_id}/advance`),
      {
        token,
        body: { frozen_time: addDays(subscription.currentPeriodStart, 60).toISOString() },
      },
    );
    expect(advanced.body).toMatchObject({ steps: 0, status: "ready" });
    expect((await h.service.subscriptions.get(accountId)).version).toBe(subscription.version);
  });

  it("a deleted clock takes no advance, and its subscription no command", async () => {
    const { accountId, clockId, start, advance, token } = await onAClock("Deleted SA");
    const deleted = await h.call("DELETE", org(accountId, `/test-clocks/${clockId}`), {
      token: await token(),
    });
    expect(deleted.body).toMatchObject({ status: "deleted" });
    for (const answer of [
      await advance(addDays(start, 1)),
      await h.call("POST", org(accountId, "/subscription/upgrade"), {
        token: await token(),
        body: { plan_id: "enterprise" },
      }),
      await h.call("DELETE", org(accountId, `/test-clocks/${clockId}`), { token: await token() }),
    ])
      expect({ status: answer.status, code: answer.body.code }).toEqual({
        status: 409,
        code: "test_clock_deleted",
      });
  });
});

describe("who may use a clock", () => {
  it("belongs to its organization: another can neither see, advance nor attach it", async () => {
    const owner = await onAClock("Owner Corp");
    const other = await h.organization("Other Corp");
    const otherToken = await h.token(other.accountId);
    const intoOwner = await h.call("GET", org(owner.accountId, `/test-clocks/${owner.clockId}`), {
      token: otherToken,
    });
    expect({ status: intoOwner.status, code: intoOwner.body.code }).toEqual({
      status: 403,
      code: "account_mismatch",
    });
    for (const [method, tail] of [
      ["GET", ""],
      ["POST", "/advance"],
      ["POST", "/attach"],
      ["DELETE", ""],
    ] as const) {
      const answer = await h.call(method, org(other.accountId, `/test-clocks/${owner.clockId}${tail}`), {
        token: otherToken,
        body: tail === "/advance" ? { frozen_time: addDays(owner.start, 3).toISOString() } : undefined,
      });
      expect({ route: `${method} ${tail}`, status: answer.status, code: answer.body.code }).toEqual({
        route: `${method} ${tail}`,
        status: 404,
        code: "test_clock_not_found",
      });
    }
    const listed = await h.call("GET", org(other.accountId, "/test-clocks"), { token: otherToken });
    expect(listed.body).toEqual({ data: [] });
    expect((await h.service.subscriptions.get(other.accountId)).testClockId).toBeNull();
  });

  it("needs billing.manage to change and billing.read to see", async () => {
    const { accountId, clockId } = await onAClock("Roles Inc");
    const admin = await h.token(accountId, "admin"); // billing.read only
    expect((await h.call("GET", org(accountId, `/test-clocks/${clockId}`), { token: admin })).status).toBe(
      200,
    );
    const created = await h.call("POST", org(accountId, "/test-clocks"), {
      token: admin,
      body: { frozen_time: new Date().toISOString() },
    });
    expect({ status: created.status, code: created.body.code }).toEqual({
      status: 403,
      code: "permission_denied",
    });
  });

  it("a subscription follows one clock, attached while it trials and not before it began", async () => {
    const { accountId, start, token } = await onAClock("Twice Attached");
    const second = await h.call("POST", org(accountId, "/test-clocks"), {
      token: await token(),
      body: { frozen_time: start.toISOString() },
    });
    const early = await h.call("POST", org(accountId, "/test-clocks"), {
      token: await token(),
      body: { frozen_time: addDays(start, -1).toISOString() },
    });
    const other = await h.organization("Early Clock");
    const otherEarly = await h.call("POST", org(other.accountId, "/test-clocks"), {
      token: await h.token(other.accountId),
      body: { frozen_time: addDays(other.subscription.currentPeriodStart, -1).toISOString() },
    });
    for (const [accountId_, clockId, code] of [
      [accountId, second.body.test_clock_id, "test_clock_already_attached"],
      [accountId, early.body.test_clock_id, "test_clock_already_attached"],
      [other.accountId, otherEarly.body.test_clock_id, "test_clock_before_subscription"],
    ]) {
      const answer = await h.call("POST", org(accountId_, `/test-clocks/${clockId}/attach`), {
        token: await h.token(accountId_),
      });
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 409, code });
    }
  });
});

describe("the service's own clock", () => {
  it("its scheduler leaves attached subscriptions alone; a paid subscription is not attached; clocks expire", async () => {
    const attached = await onAClock("Frozen Ltd");
    const free = await h.organization("Free Running");
    const freeToken = () => h.token(free.accountId);
    await h.call("POST", org(free.accountId, "/subscription/payment-method"), {
      token: await freeToken(),
      body: { payment_method_id: "pm_card_visa" },
    });
    const version = (await h.service.subscriptions.get(attached.accountId)).version;
    h.clock.advance(15 * DAY);
    await h.service.runScheduler();
    expect((await h.service.subscriptions.get(attached.accountId)).version).toBe(version);
    expect((await h.service.subscriptions.get(free.accountId)).status).toBe("active");

    // Converted: paid activity, too late for a clock.
    const clock = await h.call("POST", org(free.accountId, "/test-clocks"), {
      token: await freeToken(),
      body: { frozen_time: h.clock.now().toISOString() },
    });
    const attach = await h.call(
      "POST",
      org(free.accountId, `/test-clocks/${clock.body.test_clock_id}/attach`),
      {
        token: await freeToken(),
      },
    );
    expect({ status: attach.status, code: attach.body.code }).toEqual({
      status: 409,
      code: "subscription_not_trialing",
    });

    // The attached one moved only with its clock, which still works until it expires.
    expect((await attached.advance(addDays(attached.start, 14))).body.steps).toBeGreaterThanOrEqual(2);
    expect((await h.service.subscriptions.get(attached.accountId)).status).toBe("active");
    h.clock.advance((TEST_CLOCK_LIFETIME_DAYS - 15) * DAY);
    const expired = await attached.advance(addDays(attached.start, 20));
    expect({ status: expired.status, code: expired.body.code }).toEqual({
      status: 409,
      code: "test_clock_expired",
    });
  });
});
