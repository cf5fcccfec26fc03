/**
 * An organization on billing's test clock lives at the clock's time (docs/usage.md, "Test clocks"):
 * billing's TestClockAttached and TestClockAdvanced, in either order, give usage its now; its events may
 * be stamped up to an hour past the clock (not past the wall clock), a missing timestamp is the clock's
 * time, and its periods close when the clock passes their end plus the grace — at once, without waiting
 * for the closer's timer — while organizations without a clock keep the wall clock, and the wall clock
 * never closes a clocked organization's period.
 */
import { randomBytes } from "node:crypto";
import { BillingEvent, UsageEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import { DAY, type Harness, type Organization, startUsage } from "./support/harness";

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
