/**
 * The period closer's reach: an annual period closes at its end plus the grace like a monthly one, a
 * period whose closing was missed for longer than the old 35-day look-back still closes, each period
 * once, and a period the closer finds closed but unmarked is marked with the closing's own time.
 */
import { randomBytes } from "node:crypto";
import { BillingEvent, UsageEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import { DAY, type Harness, planSnapshot, STARTER_LIMITS, startUsage } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startUsage();
}, 120_000);
afterAll(() => h?.close());

const moveTo = (time: number) => h.clock.advance(time - h.clock.now().getTime());

/** Plays billing: a subscription whose first period lasts `days` (an annual plan: 365). */
async function subscription(days: number): Promise<{ accountId: string; start: number; end: number }> {
  const accountId = `acc_${randomBytes(8).toString("hex")}`;
  const subscriptionId = `sub_${randomBytes(8).toString("hex")}`;
  const start = h.clock.now().getTime();
  const end = start + days * DAY;
  await h.publish("billing", BillingEvent.TrialStarted, subscriptionId, {
    account_id: accountId,
    subscription_id: subscriptionId,
    subscription_status: "trialing",
    current_period_start: start,
    current_period_end: end,
    mrr_cents: 0,
    plan: planSnapshot(STARTER_LIMITS),
    trial_end: end,
    trial_days: days,
  });
  await waitFor(
    () =>
      inTenant(h.service.db, accountId, (tx) => tx.billingPeriod.findFirst({ where: { accountId } })).then(
        (row) => row ?? undefined,
      ),
    { what: "usage to learn of the period" },
  );
  return { accountId, start, end };
}

const closings = (accountId: string) =>
  h.service.db.$queryRawUnsafe<
    { payload: { period_start: number; period_end: number; occurred_at: number } }[]
  >(
    "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2",
    accountId,
    UsageEvent.UsagePeriodClosed,
  );

it("closes a period missed for 40 days, then an annual one at its end plus the grace, each once", async () => {
  const annual = await subscription(365);
  const monthly = await subscription(30);

  // The closer did not run for 40 days past the monthly period's end (down, say).
  moveTo(monthly.end + 40 * DAY);
  expect(await h.service.closeDuePeriods()).toBeGreaterThanOrEqual(1);
  expect((await closings(monthly.accountId)).map((c) => c.payload.period_end)).toEqual([monthly.end]);
  expect(await closings(annual.accountId)).toEqual([]);

  moveTo(annual.end + 30 * 60_000); // in the grace
  await h.service.closeDuePeriods();
  expect(await closings(annual.accountId)).toEqual([]);
  moveTo(annual.end + 61 * 60_000);
  expect(await h.service.closeDuePeriods()).toBeGreaterThanOrEqual(1);
  expect(
    (await closings(annual.accountId)).map((c) => [c.payload.period_start, c.payload.period_end]),
  ).toEqual([[annual.start, annual.end]]);
  expect(await h.service.closeDuePeriods()).toBe(0);
  expect(await closings(monthly.accountId)).toHaveLength(1);
});

it("marks a period it finds closed but unmarked with the closing's time, without closing it again", async () => {
  const org = await subscription(14);
  moveTo(org.end + 2 * 3_600_000);
  expect(await h.service.closeDuePeriods()).toBeGreaterThanOrEqual(1);
  const closedAt = () =>
    inTenant(h.service.db, org.accountId, (tx) =>
      tx.billingPeriod.findFirst({ where: { accountId: org.accountId }, select: { closedAt: true } }),
    ).then((row) => row?.closedAt ?? null);
  expect(await closedAt()).not.toBeNull();

  await inTenant(h.service.db, org.accountId, (tx) =>
    tx.billingPeriod.updateMany({ where: { accountId: org.accountId }, data: { closedAt: null } }),
  );
  expect(await h.service.closeDuePeriods()).toBe(0);
  const [closing] = await closings(org.accountId);
  expect(await closings(org.accountId)).toHaveLength(1);
  expect((await closedAt())?.getTime()).toBe(closing?.payload.occurred_at);
});
