/**
 * USAGE_LATE_EVENTS=adjust (issue #13, Orb's amendments): an event of a closed period is accepted and
 * becomes one UsageAdjusted of that period (metric, quantity delta, reason late_event) for billing's
 * next invoice — once per key however often it comes, and again none after a rebuild. Late values of
 * meters that are not sums (MAX, LATEST, UNIQUE_COUNT) are still refused with 409 period_closed. An
 * organization on a test clock has its adjustments stamped at the clock's time.
 */
import { randomBytes } from "node:crypto";
import { BillingEvent, UsageEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import { SYSTEM_ACTOR } from "../src/domain/events";
import { DAY, type Harness, startUsage } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startUsage({ USAGE_LATE_EVENTS: "adjust" });
}, 120_000);
afterAll(() => h?.close());

const usagePath = (accountId: string) => `/v1/organizations/${accountId}/usage`;

async function adjustments(accountId: string): Promise<Record<string, unknown>[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(
    "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2 ORDER BY position",
    accountId,
    UsageEvent.UsageAdjusted,
  );
  return rows.map((row) => row.payload);
}

it("turns late events of a closed period into one UsageAdjusted each, kept out of the closed totals", async () => {
  const org = await h.organization();
  h.clock.advance(DAY);
  const inPeriod = org.periodStart + DAY / 2;
  // A token signed at the test clock's time (it moves past the period's end below).
  const send = async (body: Record<string, unknown>) =>
    h.call("POST", usagePath(org.accountId), {
      token: await h.apiKeyToken(org.accountId, ["usage.write"]),
      body: { timestamp: inPeriod, ...body },
    });
  expect((await send({ metric: "api_calls", quantity: 5, idempotency_key: "on-time" })).status).toBe(202);
  await h.counted();

  h.clock.advance(org.periodEnd + 2 * 3_600_000 - h.clock.now().getTime());
  expect(await h.service.closeDuePeriods()).toBe(1);

  expect((await send({ metric: "api_calls", quantity: 7, idempotency_key: "late-sum" })).status).toBe(202);
  expect((await send({ metric: "exports", quantity: 1, idempotency_key: "late-count" })).status).toBe(202);
  // A retry of a late event, and the same record straight to the topic: one adjustment still.
  expect((await send({ metric: "api_calls", quantity: 7, idempotency_key: "late-sum" })).status).toBe(202);
  await h.service.reports.send([
    {
      account_id: org.accountId,
      idempotency_key: "late-sum",
      metric: "api_calls",
      quantity: 7,
      dimensions: {},
      source: null,
      subject: null,
      occurred_at: inPeriod,
      correction: null,
      actor: SYSTEM_ACTOR,
    },
  ]);
  // Not a sum: a late maximum cannot be added to the period's, so it is refused as before.
  const max = await send({ metric: "peak_connections", quantity: 40, idempotency_key: "late-max" });
  expect([max.status, max.body.code]).toEqual([409, "period_closed"]);
  // The on-time key again, after the close: counted already, not late, no adjustment.
  expect((await send({ metric: "api_calls", quantity: 5, idempotency_key: "on-time" })).status).toBe(202);
  await h.counted();

  const expected = [
    {
      account_id: org.accountId,
      subscription_id: org.subscriptionId,
      period_start: org.periodStart,
      period_end: org.periodEnd,
      metric: "api_calls",
      quantity: 7,
      reason: "late_event",
      idempotency_key: "late-sum",
    },
    expect.objectContaining({ metric: "exports", quantity: 1, idempotency_key: "late-count" }),
  ];
  expect(await adjustments(org.accountId)).toEqual([expect.objectContaining(expected[0]), expected[1]]);
  // The late events are kept with their keys, in no total.
  const rows = await h.rows(org.accountId);
  expect(rows.map((row) => [row.idempotencyKey, row.counted])).toEqual([
    ["late-count", false],
    ["late-sum", false],
    ["on-time", true],
  ]);

  // A rebuild replays usage.ingest through the same count: the adjustments exist, none is appended again.
  await h.service.rebuildAll();
  expect(await adjustments(org.accountId)).toHaveLength(2);
  expect((await h.rows(org.accountId)).map((row) => [row.idempotencyKey, row.counted])).toEqual(
    rows.map((row) => [row.idempotencyKey, row.counted]),
  );
}, 120_000);

it("stamps a clocked organization's adjustment with its clock's time, not the wall clock's", async () => {
  const org = await h.organization();
  const clockTime = org.periodEnd + 2 * 3_600_000;
  await h.publish("billing", BillingEvent.TestClockAttached, org.subscriptionId, {
    account_id: org.accountId,
    subscription_id: org.subscriptionId,
    test_clock_id: `clock_${randomBytes(6).toString("hex")}`,
    frozen_time: clockTime,
  });
  // Past the period's end and grace by the clock: usage closes it on its own.
  await waitFor(
    () =>
      inTenant(h.service.db, org.accountId, (tx) =>
        tx.closedPeriod.findFirst({ where: { accountId: org.accountId } }),
      ).then((row) => row ?? undefined),
    { what: "usage to close the clocked period" },
  );
  const late = await h.call("POST", usagePath(org.accountId), {
    token: await h.apiKeyToken(org.accountId, ["usage.write"]),
    body: { metric: "api_calls", quantity: 3, idempotency_key: "late", timestamp: org.periodStart + DAY },
  });
  expect(late.status).toBe(202);
  await h.counted();
  expect(await adjustments(org.accountId)).toEqual([
    expect.objectContaining({ quantity: 3, period_start: org.periodStart, occurred_at: clockTime }),
  ]);
  expect(h.clock.now().getTime()).toBeLessThan(org.periodEnd); // the wall clock is still in the period
});
