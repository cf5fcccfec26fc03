/**
 * The usage count in its own worker thread (USAGE_COUNT=thread, as main.ts runs it): events sent over
 * HTTP are counted once by the thread, their totals reach the main thread's quota view (a check sees
 * them, and past the limit refuses), an 80 % alert is emitted once, a resend changes nothing, another
 * organization's totals stay its own, and a rebuild stops the thread, replays on the main thread and
 * starts it again with the same rows. The clock is the system's: the thread does not share a test clock.
 */
import { UsageEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { type Harness, startUsage } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startUsage({ USAGE_COUNT: "thread" });
}, 120_000);
afterAll(() => h?.close());

const writer = (accountId: string) => h.apiKeyToken(accountId, ["usage.write"]);

async function report(accountId: string, prefix: string, n: number): Promise<void> {
  const events = Array.from({ length: n }, (_, i) => ({
    metric: "api_calls",
    quantity: 1,
    idempotency_key: `${prefix}-${i}`,
  }));
  const res = await h.call("POST", `/v1/organizations/${accountId}/usage/batch`, {
    token: await writer(accountId),
    body: { events },
  });
  expect(res.status).toBe(202);
}

async function check(accountId: string, quantity = 1) {
  return h.call("POST", `/v1/organizations/${accountId}/quotas/check`, {
    token: await writer(accountId),
    body: { metric: "api_calls", quantity },
  });
}

async function alerts(accountId: string): Promise<number[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ payload: { threshold_percent: number } }[]>(
    "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2 ORDER BY position",
    accountId,
    UsageEvent.UsageThresholdReached,
  );
  return rows.map((r) => r.payload.threshold_percent);
}

it("counts in its thread once, feeds the quota view and the alerts, and survives a rebuild", async () => {
  const org = await h.organization({ api_calls: 100 });
  const other = await h.organization({ api_calls: 100 });
  // Held in the view before the events: what changes it now is the thread's message.
  expect((await check(org.accountId)).body.remaining).toBe(100);
  expect((await check(other.accountId)).body.remaining).toBe(100);

  await report(org.accountId, "t", 85);
  await report(org.accountId, "t", 85); // a resend: counted once
  await h.counted();
  expect(await h.rows(org.accountId)).toHaveLength(85);
  await waitFor(async () => ((await check(org.accountId)).body.remaining === 15 ? true : undefined), {
    what: "the thread's totals to reach the quota view",
  });
  const past = await check(org.accountId, 16);
  expect([past.status, past.body.allowed]).toEqual([200, false]);
  expect((await check(other.accountId)).body.remaining).toBe(100);
  expect(await alerts(org.accountId)).toEqual([80]);

  await h.service.rebuildAll();
  expect(await h.rows(org.accountId)).toHaveLength(85);
  expect(await alerts(org.accountId)).toEqual([80]);
  // The thread runs again after the rebuild: new events are counted and reach the view.
  await report(org.accountId, "after", 5);
  await h.counted();
  expect(await h.rows(org.accountId)).toHaveLength(90);
  await waitFor(async () => ((await check(org.accountId)).body.remaining === 10 ? true : undefined), {
    what: "the restarted thread's totals to reach the quota view",
  });
  expect(await alerts(org.accountId)).toEqual([80, 90]);
}, 180_000);
