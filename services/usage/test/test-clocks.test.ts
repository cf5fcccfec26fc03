/**
 * An organization on billing's test clock lives at the clock's time (docs/usage.md, "Test clocks"):
 * billing's TestClockAttached and TestClockAdvanced, in either order, give usage its now; its events may
 * be stamped up to an hour past the clock (not past the wall clock), a missing timestamp is the clock's
 * time, and its periods close when the clock passes their end plus the grace — at once, without waiting
 * for the closer's timer — while organizations without a clock keep the wall clock, and the wall clock
 * never closes a clocked organization's period. The quota check, its refusals, the threshold alerts and
 * the series and breakdown defaults follow the clock's period too.
 */
import { randomBytes } from "node:crypto";
import { BillingEvent, UsageEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import { DAY, type Harness, type Organization, planSnapshot, startUsage } from "./support/harness";

const HOUR = 3_600_000;

let h: Harness;
beforeAll(async () => {
  h = await startUsage();
}, 120_000);
afterAll(() => h?.close());

const usagePath = (accountId: string) => `/v1/organizations/${accountId}/usage`;

async function report(org: Organization, body: Record<string, unknown>) {
  return h.call("POST", usagePath(org.accountId), {
    token: await h.apiKeyToken(org.accountId, ["usage.write"]),
    body: { metric: "api_calls", quantity: 1, ...body },
  });
}

const clockEvent = (
  type: string,
  org: Organization,
  clockId: string,
  frozenTime: number,
  previous = frozenTime,
): Promise<void> =>
  type === BillingEvent.TestClockAttached
    ? h.publish("billing", type, org.subscriptionId, {
        account_id: org.accountId,
        subscription_id: org.subscriptionId,
        test_clock_id: clockId,
        frozen_time: frozenTime,
      })
    : h.publish("billing", type, clockId, {
        account_id: org.accountId,
        test_clock_id: clockId,
        previous_frozen_time: previous,
        frozen_time: frozenTime,
      });

function timeOf(org: Organization, expected: number) {
  return waitFor(async () => ((await h.service.time.now(org.accountId)) === expected ? true : undefined), {
    what: "usage to project the organization's test clock",
  });
}

const closedPeriods = (org: Organization) =>
  inTenant(h.service.db, org.accountId, (tx) =>
    tx.closedPeriod.findMany({ where: { accountId: org.accountId } }),
  );

it("checks a clocked organization's timestamps against its clock, and defaults them to the clock's time", async () => {
  const org = await h.organization();
  const start = org.periodStart;
  const clockId = `clock_${randomBytes(6).toString("hex")}`;
  // Without a clock, the wall clock: two hours ahead is refused.
  const early = await report(org, { idempotency_key: "early", timestamp: start + 2 * HOUR });
  expect([early.status, early.body.code]).toEqual([400, "timestamp_in_future"]);

  // The advance is projected before the attachment (other aggregates, other partitions): same result.
  await clockEvent(BillingEvent.TestClockAdvanced, org, clockId, start + 10 * DAY, start);
  await clockEvent(BillingEvent.TestClockAttached, org, clockId, start);
  await timeOf(org, start + 10 * DAY);

  const ahead = await report(org, { idempotency_key: "ahead", timestamp: start + 10 * DAY + 30 * 60_000 });
  expect(ahead.status).toBe(202);
  const tooFar = await report(org, { idempotency_key: "too-far", timestamp: start + 10 * DAY + 2 * HOUR });
  expect([tooFar.status, tooFar.body.code]).toEqual([400, "timestamp_in_future"]);
  const batch = await h.call("POST", `${usagePath(org.accountId)}/batch`, {
    token: await h.apiKeyToken(org.accountId, ["usage.write"]),
    body: {
      events: [
        { metric: "api_calls", quantity: 1, idempotency_key: "b1", timestamp: start + 10 * DAY },
        { metric: "api_calls", quantity: 1, idempotency_key: "b2", timestamp: start + 10 * DAY + 2 * HOUR },
      ],
    },
  });
  expect([batch.status, batch.body.code, batch.body.errors]).toEqual([
    400,
    "invalid_batch",
    [expect.objectContaining({ index: 1, code: "timestamp_in_future" })],
  ]);
  const defaulted = await report(org, { idempotency_key: "defaulted" });
  expect(defaulted.status).toBe(202);
  await h.counted();
  const rows = await inTenant(h.service.db, org.accountId, (tx) =>
    tx.usageEvent.findMany({ where: { accountId: org.accountId }, orderBy: { idempotencyKey: "asc" } }),
  );
  expect(rows.map((r) => [r.idempotencyKey, r.occurredAt.getTime()])).toEqual([
    ["ahead", start + 10 * DAY + 30 * 60_000],
    ["defaulted", start + 10 * DAY],
  ]);

  // Another organization is not on the clock: still the wall clock.
  const other = await h.organization();
  const otherAhead = await report(other, { idempotency_key: "ahead", timestamp: start + 10 * DAY });
  expect([otherAhead.status, otherAhead.body.code]).toEqual([400, "timestamp_in_future"]);
});

it("keeps the wall clock for an organization whose clock was never attached", async () => {
  const org = await h.organization();
  await clockEvent(
    BillingEvent.TestClockAdvanced,
    org,
    `clock_${randomBytes(6).toString("hex")}`,
    org.periodEnd + 2 * HOUR,
    org.periodStart,
  );
  await waitFor(
    () =>
      inTenant(h.service.db, org.accountId, (tx) =>
        tx.testClock.findFirst({ where: { accountId: org.accountId } }),
      ).then((row) => row ?? undefined),
    { what: "usage to project the unattached clock" },
  );
  expect(await h.service.time.now(org.accountId)).toBeLessThan(org.periodStart + HOUR); // the service's clock
  const ahead = await report(org, { idempotency_key: "ahead", timestamp: org.periodStart + 2 * HOUR });
  expect([ahead.status, ahead.body.code]).toEqual([400, "timestamp_in_future"]);
  await h.service.closeDuePeriods();
  expect(await closedPeriods(org)).toEqual([]);
});

it("closes a clocked period when the clock passes its end and grace, by itself, and never by the wall clock", async () => {
  const org = await h.organization();
  const wall = await h.organization();
  const clockId = `clock_${randomBytes(6).toString("hex")}`;
  await clockEvent(BillingEvent.TestClockAttached, org, clockId, org.periodStart);
  await clockEvent(BillingEvent.TestClockAdvanced, org, clockId, org.periodEnd - HOUR, org.periodStart);
  await timeOf(org, org.periodEnd - HOUR);
  expect((await report(org, { idempotency_key: "k1", quantity: 12_000 })).status).toBe(202);
  await h.counted();

  // In the grace window by the clock: not closed, and an event of the period still counts.
  await clockEvent(
    BillingEvent.TestClockAdvanced,
    org,
    clockId,
    org.periodEnd + 30 * 60_000,
    org.periodEnd - HOUR,
  );
  await timeOf(org, org.periodEnd + 30 * 60_000);
  expect(await h.service.closeDuePeriods()).toBe(0);
  // Its current period is the one its clock is in: none known past the trial (the wall clock's is open).
  const current = await h.call("GET", usagePath(org.accountId), { token: await h.token(org.accountId) });
  expect([current.status, current.body.period]).toEqual([200, null]);
  const wallCurrent = await h.call("GET", usagePath(wall.accountId), {
    token: await h.token(wall.accountId),
  });
  expect(wallCurrent.body.period?.status).toBe("open");
  expect((await report(org, { idempotency_key: "in-grace", timestamp: org.periodEnd - 60_000 })).status).toBe(
    202,
  );
  await h.counted();

  // Past the grace by the clock: usage closes the period on its own (no call to the closer).
  const closedAt = org.periodEnd + 2 * HOUR;
  await clockEvent(BillingEvent.TestClockAdvanced, org, clockId, closedAt, org.periodEnd + 30 * 60_000);
  const [closed] = await waitFor(
    async () => {
      const rows = await closedPeriods(org);
      return rows.length > 0 ? rows : undefined;
    },
    { what: "usage to close the clocked period" },
  );
  expect(closed?.totals).toMatchObject({ api_calls: 12_001 });
  expect(closed?.closedAt.getTime()).toBe(closedAt);
  const [event] = await h.service.db.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(
    "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2",
    org.accountId,
    UsageEvent.UsagePeriodClosed,
  );
  expect(event?.payload).toMatchObject({ period_end: org.periodEnd, occurred_at: closedAt });
  const late = await report(org, { idempotency_key: "late", timestamp: org.periodEnd - 60_000 });
  expect([late.status, late.body.code]).toEqual([409, "period_closed"]);
  // The organization beside it, on the wall clock, is not closed by another's clock.
  expect(await closedPeriods(wall)).toEqual([]);

  // A clocked organization whose clock stays behind: the wall clock passing its period closes nothing,
  // while the wall-clock organization's period closes.
  const behind = await h.organization();
  const behindClock = `clock_${randomBytes(6).toString("hex")}`;
  await clockEvent(BillingEvent.TestClockAttached, behind, behindClock, behind.periodStart);
  await timeOf(behind, behind.periodStart);
  h.clock.advance(wall.periodEnd + 2 * HOUR - h.clock.now().getTime());
  expect(await h.service.closeDuePeriods()).toBeGreaterThanOrEqual(1);
  expect(await closedPeriods(wall)).toHaveLength(1);
  expect(await closedPeriods(behind)).toEqual([]);
});

it("answers a clocked organization's quota checks, alerts and reads from the period its clock is in", async () => {
  const org = await h.organization();
  const wall = await h.organization();
  const clockId = `clock_${randomBytes(6).toString("hex")}`;
  const end = org.periodEnd;
  const renewedEnd = end + 30 * DAY;
  const check = async (who: Organization, quantity = 1) => {
    const res = await h.call("POST", `/v1/organizations/${who.accountId}/quotas/check`, {
      token: await h.apiKeyToken(who.accountId, ["usage.write"]),
      body: { metric: "api_calls", quantity },
    });
    expect(res.status).toBe(200);
    return res.body as { allowed: boolean; remaining: number; limit: number; resets_at: string | null };
  };
  const trial = { limit: 10_000, resets_at: new Date(end).toISOString() };

  // Held by the view on the wall clock; billing renews ahead of time (a period the wall clock is not in).
  expect(await check(org)).toMatchObject({ ...trial, remaining: 10_000 });
  await h.publish("billing", BillingEvent.SubscriptionRenewed, org.subscriptionId, {
    account_id: org.accountId,
    subscription_id: org.subscriptionId,
    subscription_status: "active",
    current_period_start: end,
    current_period_end: renewedEnd,
    mrr_cents: 4_900,
    plan: planSnapshot({ api_calls: 100 }, "professional"),
  });
  await waitFor(
    () =>
      inTenant(h.service.db, org.accountId, (tx) =>
        tx.billingPeriod.findFirst({ where: { accountId: org.accountId, periodStart: new Date(end) } }),
      ).then((row) => row ?? undefined),
    { what: "usage to project the renewal" },
  );
  expect(await check(org)).toMatchObject(trial);

  // On a clock an hour before the trial's end: still the trial, with what was reported at the clock's time.
  await clockEvent(BillingEvent.TestClockAttached, org, clockId, end - HOUR);
  await timeOf(org, end - HOUR);
  expect((await report(org, { idempotency_key: "trial", quantity: 50 })).status).toBe(202);
  await h.counted();
  expect(await check(org)).toMatchObject({ ...trial, remaining: 9_950 });

  // The clock passes the end: the held organization is refreshed by the advance and answers from the
  // renewed period (its limit, its end, its totals), though the wall clock is still in the trial.
  const now = end + DAY;
  await clockEvent(BillingEvent.TestClockAdvanced, org, clockId, now, end - HOUR);
  await timeOf(org, now);
  expect(await check(org)).toEqual({
    metric: "api_calls",
    allowed: true,
    remaining: 100,
    limit: 100,
    resets_at: new Date(renewedEnd).toISOString(),
  });
  expect((await report(org, { idempotency_key: "renewed", quantity: 95 })).status).toBe(202);
  await h.counted();
  expect(await check(org, 10)).toMatchObject({ allowed: false, remaining: 5, limit: 100 });

  // The refusal is stamped at the clock's time, in the renewed period.
  const denials = await h.denials(org.accountId);
  expect(denials).toEqual([
    expect.objectContaining({
      current: 95,
      limit: 100,
      period_start: end,
      period_end: renewedEnd,
      occurred_at: now,
    }),
  ]);

  // 95 of 100 reached 80 % and 90 % of the renewed period, once each, at the clock's time.
  expect((await report(org, { idempotency_key: "one-more", quantity: 1 })).status).toBe(202);
  await h.counted();
  const alerts = await h.service.db.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(
    "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2 ORDER BY position",
    org.accountId,
    UsageEvent.UsageThresholdReached,
  );
  expect(alerts.map((a) => a.payload)).toEqual(
    [80, 90].map((percent) =>
      expect.objectContaining({
        threshold_percent: percent,
        period_start: end,
        current: 95,
        occurred_at: now,
      }),
    ),
  );
  const rows = await inTenant(h.service.db, org.accountId, (tx) =>
    tx.usageAlert.findMany({ where: { accountId: org.accountId } }),
  );
  expect(rows.map((r) => [r.periodStart.getTime(), r.reachedAt.getTime()])).toEqual([
    [end, now],
    [end, now],
  ]);

  // Reads default to the clock too: the series ends at the clock's time, the breakdown is the renewed period.
  const token = await h.token(org.accountId);
  const series = await h.call("GET", `${usagePath(org.accountId)}/series?metric=api_calls&granularity=day`, {
    token,
  });
  expect(series.status).toBe(200);
  expect(series.body.to).toBe(new Date(Math.ceil(now / DAY) * DAY).toISOString());
  expect((series.body.points as { value: number }[]).reduce((sum, p) => sum + p.value, 0)).toBe(146);
  const breakdown = await h.call(
    "GET",
    `${usagePath(org.accountId)}/breakdown?metric=api_calls&dimension=route`,
    {
      token,
    },
  );
  expect([breakdown.status, breakdown.body.from, breakdown.body.to, breakdown.body.values]).toEqual([
    200,
    new Date(end).toISOString(),
    new Date(renewedEnd).toISOString(),
    [{ value: null, total: 96 }],
  ]);

  // The organization beside it, on the wall clock, is in its trial, with no alerts.
  expect(await check(wall)).toMatchObject({
    allowed: true,
    remaining: 10_000,
    limit: 10_000,
    resets_at: new Date(wall.periodEnd).toISOString(),
  });
  const wallSeries = await h.call("GET", `${usagePath(wall.accountId)}/series?metric=api_calls`, {
    token: await h.token(wall.accountId),
  });
  expect(wallSeries.body.to).toBe(new Date(Math.ceil(h.clock.now().getTime() / HOUR) * HOUR).toISOString());
});
