/**
 * Quota checks, threshold alerts and per-tenant rate limits against the real broker, registry and
 * Postgres: answers from the in-memory view (allowed, denied with its QuotaRequestDenied, unlimited,
 * unknown metric), how stale the view is, tenants kept apart; 80/90/100 % alerts once per period
 * under resends, concurrent runs of the count and a rebuild; RateLimit fields (both windows) on every
 * answer, one tenant's flood leaving another alone, and a plan's per-second rate refusing a burst.
 */
import { randomBytes } from "node:crypto";
import { BillingEvent, TenancyEvent, UsageEvent } from "@platform/contracts";
import type { BatchEvent } from "@platform/event-sourcing";
import { waitFor } from "@platform/testkit";
import { SYSTEM_ACTOR, USAGE_REPORTED } from "../src/domain/events";
import { reportedRecord } from "../src/domain/usage-events";
import { usageCount } from "../src/projections/usage-count";
import { DAY, type Harness, type Organization, planSnapshot, startUsage } from "./support/harness";

/** 3 a minute and no per-second rate, so a test's quick requests meet the minute's limit. */
const TINY = {
  ingest: { limit: 3, windowSeconds: 60, burst: false },
  check: { limit: 3, windowSeconds: 60, burst: false },
};
/**
 * 120 a minute, the check at most 2 in 3 s (a window a slow test machine cannot outlast between two
 * requests), the ingest at its default 4 a second.
 */
const BURSTY = {
  ingest: { limit: 120, windowSeconds: 60 },
  check: { limit: 120, windowSeconds: 60, burst: { limit: 2, windowSeconds: 3 } },
};

let h: Harness;
beforeAll(async () => {
  h = await startUsage({
    USAGE_RATE_LIMITS: JSON.stringify({
      default: { ingest: { limit: 1000, windowSeconds: 60 }, check: { limit: 1000, windowSeconds: 60 } },
      starter: { ingest: { limit: 1000, windowSeconds: 60 }, check: { limit: 2000, windowSeconds: 60 } },
      tiny: TINY,
      bursty: BURSTY,
    }),
  });
}, 120_000);
afterAll(() => h?.close());

/** Plays billing: a trial on `planId` with `limits` (the harness's organization() is always Starter). */
async function organization(limits: Record<string, number>, planId = "starter"): Promise<Organization> {
  if (planId === "starter") return h.organization(limits);
  const accountId = `acc_${randomBytes(8).toString("hex")}`;
  const subscriptionId = `sub_${randomBytes(8).toString("hex")}`;
  const periodStart = h.clock.now().getTime();
  const periodEnd = periodStart + 14 * DAY;
  await h.publish("billing", BillingEvent.TrialStarted, subscriptionId, {
    account_id: accountId,
    subscription_id: subscriptionId,
    subscription_status: "trialing",
    current_period_start: periodStart,
    current_period_end: periodEnd,
    mrr_cents: 0,
    plan: planSnapshot(limits, planId),
    trial_end: periodEnd,
    trial_days: 14,
  });
  await waitFor(async () => ((await h.service.quotaView.get(accountId)).period ? true : undefined), {
    what: "usage to learn of the trial",
  });
  return { accountId, subscriptionId, periodStart, periodEnd };
}

const writer = (accountId: string) => h.apiKeyToken(accountId, ["usage.write"]);

async function report(accountId: string, events: Record<string, unknown>[]): Promise<void> {
  const res = await h.call("POST", `/v1/organizations/${accountId}/usage/batch`, {
    token: await writer(accountId),
    body: { events },
  });
  expect(res.status).toBe(202);
}

const calls = (n: number, prefix: string, quantity = 1) =>
  Array.from({ length: n }, (_, i) => ({ metric: "api_calls", quantity, idempotency_key: `${prefix}-${i}` }));

async function check(accountId: string, body: Record<string, unknown>, token?: string) {
  return h.call("POST", `/v1/organizations/${accountId}/quotas/check`, {
    token: token ?? (await writer(accountId)),
    body,
  });
}

async function alerts(accountId: string): Promise<{ metric: string; threshold_percent: number }[]> {
  const rows = await h.service.db.$queryRawUnsafe<
    { payload: { metric: string; threshold_percent: number } }[]
  >(
    "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2 ORDER BY position",
    accountId,
    UsageEvent.UsageThresholdReached,
  );
  return rows.map((r) => ({ metric: r.payload.metric, threshold_percent: r.payload.threshold_percent }));
}

describe("quota check", () => {
  it("allows within the limit, refuses past it with QuotaRequestDenied, and answers unlimited", async () => {
    const org = await organization({ api_calls: 100, storage_gb: -1 });
    await report(org.accountId, calls(60, "q"));
    await h.counted();

    const ok = await check(org.accountId, { metric: "api_calls", quantity: 40 });
    expect([ok.status, ok.body]).toEqual([
      200,
      {
        metric: "api_calls",
        allowed: true,
        remaining: 40,
        limit: 100,
        resets_at: new Date(org.periodEnd).toISOString(),
      },
    ]);
    const no = await check(org.accountId, { metric: "api_calls", quantity: 41 });
    expect([no.status, no.body.allowed, no.body.remaining, no.body.limit]).toEqual([200, false, 40, 100]);

    // -1 in the plan, and a meter the plan does not name: unlimited.
    for (const metric of ["storage_gb", "exports"]) {
      const unlimited = await check(org.accountId, { metric, quantity: 1_000_000 });
      expect([unlimited.body.allowed, unlimited.body.remaining, unlimited.body.limit]).toEqual([
        true,
        -1,
        -1,
      ]);
    }
    // The default quantity is 1.
    expect((await check(org.accountId, { metric: "api_calls" })).body.allowed).toBe(true);

    // The refusal is a fact on usage.events, with who asked.
    const denials = await h.denials(org.accountId);
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ metric: "api_calls", requested: 41, current: 60, limit: 100 });
    expect(denials[0]?.actor).toMatchObject({ type: "api_key" });
  });

  it("refuses an unknown metric and a bad quantity with stable codes", async () => {
    const org = await organization({ api_calls: 100 });
    const unknown = await check(org.accountId, { metric: "bananas", quantity: 1 });
    expect([unknown.status, unknown.body.code]).toEqual([400, "unknown_metric"]);
    for (const quantity of [-1, 1.5, "3"]) {
      const bad = await check(org.accountId, { metric: "api_calls", quantity });
      expect([bad.status, bad.body.code]).toEqual([400, "invalid_request_body"]);
    }
  });

  it("refuses other organizations' tokens, keys without usage.write, and no token", async () => {
    const org = await organization({ api_calls: 100 });
    const other = await organization({ api_calls: 100 });
    const foreign = await check(org.accountId, { metric: "api_calls" }, await writer(other.accountId));
    expect([foreign.status, foreign.body.code]).toEqual([403, "account_mismatch"]);
    const reader = await check(
      org.accountId,
      { metric: "api_calls" },
      await h.apiKeyToken(org.accountId, ["usage.read"]),
    );
    expect([reader.status, reader.body.code]).toEqual([403, "permission_denied"]);
    const anonymous = await h.call("POST", `/v1/organizations/${org.accountId}/quotas/check`, {
      body: { metric: "api_calls" },
    });
    expect(anonymous.status).toBe(401);
  });

  it("answers 409 organization_closed once tenancy closed the organization", async () => {
    const org = await organization({ api_calls: 100 });
    expect((await check(org.accountId, { metric: "api_calls" })).status).toBe(200);
    await h.publish("tenancy", TenancyEvent.OrganizationClosed, org.accountId, {
      account_id: org.accountId,
      previous_status: "created",
      status: "closed",
      reason: "moving on",
    });
    await waitFor(
      async () => ((await check(org.accountId, { metric: "api_calls" })).status === 409 ? true : undefined),
      { what: "the check to see the closing" },
    );
    expect((await check(org.accountId, { metric: "api_calls" })).body.code).toBe("organization_closed");
  });

  it("is stale by at most the count's lag, and follows billing's new limits", async () => {
    const org = await organization({ api_calls: 1_000 });
    expect((await check(org.accountId, { metric: "api_calls" })).body.remaining).toBe(1_000);
    const sent = Date.now();
    await report(org.accountId, calls(10, "stale", 10));
    await waitFor(
      async () =>
        (await check(org.accountId, { metric: "api_calls" })).body.remaining === 900 ? true : undefined,
      { what: "the check to see the new events" },
    );
    const staleMs = Date.now() - sent;
    // Produce → the count's fetch (≤ 500 ms wait) → its transaction → the view; generous for a loaded machine.
    expect(staleMs).toBeLessThan(5_000);

    await h.publish("billing", BillingEvent.SubscriptionUpgraded, org.subscriptionId, {
      account_id: org.accountId,
      subscription_id: org.subscriptionId,
      subscription_status: "active",
      current_period_start: org.periodStart,
      current_period_end: org.periodEnd,
      mrr_cents: 19_900,
      previous_plan: planSnapshot({ api_calls: 1_000 }),
      plan: planSnapshot({ api_calls: 5_000 }, "professional"),
      immediate: true,
      effective_at: h.clock.now().getTime(),
      proration_cents: 0,
      previous_mrr_cents: 4_900,
    });
    await waitFor(
      async () =>
        (await check(org.accountId, { metric: "api_calls" })).body.limit === 5_000 ? true : undefined,
      { what: "the check to see the upgrade" },
    );
    expect((await check(org.accountId, { metric: "api_calls" })).body.remaining).toBe(4_900);
  });
});

describe("threshold alerts", () => {
  it("emits 80, 90 and 100 % once each when one batch crosses them all, and nothing on a resend", async () => {
    const org = await organization({ api_calls: 100 });
    await report(org.accountId, calls(50, "a"));
    await h.counted();
    expect(await alerts(org.accountId)).toEqual([]);
    const crossing = calls(55, "b");
    await report(org.accountId, crossing);
    await h.counted();
    const once = [80, 90, 100].map((threshold_percent) => ({ metric: "api_calls", threshold_percent }));
    expect(await alerts(org.accountId)).toEqual(once);

    await report(org.accountId, crossing); // resent: counted already
    await report(org.accountId, calls(5, "c")); // more usage in the same period
    await h.counted();
    expect(await alerts(org.accountId)).toEqual(once);
  });

  it("emits each threshold once from two concurrent ingesters", async () => {
    const org = await organization({ api_calls: 100 });
    await Promise.all(
      Array.from({ length: 2 }, async (_, ingester) => {
        for (let batch = 0; batch < 5; batch++)
          await report(org.accountId, calls(10, `i${ingester}-${batch}`, 2));
      }),
    );
    await h.counted();
    expect((await alerts(org.accountId)).map((a) => a.threshold_percent)).toEqual([80, 90, 100]);
  });

  it("emits once when two transactions of the count add to one organization at the same time", async () => {
    // Two runs at once for one organization (a rebalance hands a partition over mid-run): each alone
    // stays under 80 %; together they cross 80 and 90. A third pair redelivers the same events.
    const org = await organization({ api_calls: 100 });
    const handler = h.service.alerts.after(usageCount(h.service.meters));
    const run = (prefix: string, offset: number): BatchEvent[] =>
      Array.from({ length: 9 }, (_, i) => {
        const data = reportedRecord(
          org.accountId,
          {
            metric: "api_calls",
            quantity: 5,
            idempotencyKey: `${prefix}-${i}`,
            occurredAt: h.clock.now().getTime(),
            dimensions: {},
            source: null,
            subject: null,
          },
          SYSTEM_ACTOR,
        );
        return {
          eventId: `${prefix}-${i}`,
          type: USAGE_REPORTED,
          tenantId: org.accountId,
          occurredAt: h.clock.now(),
          data: data as unknown as Record<string, unknown>,
          topic: h.topics.ingest,
          partition: 0,
          offset: String(offset + i),
        };
      });
    const apply = (events: BatchEvent[]) => h.service.db.$transaction((tx) => handler(tx, events));
    await Promise.all([apply(run("x", 1_000_000)), apply(run("y", 2_000_000))]);
    await Promise.all([apply(run("x", 1_000_000)), apply(run("y", 2_000_000))]);
    expect((await alerts(org.accountId)).map((a) => a.threshold_percent)).toEqual([80, 90]);
  });

  it("a rebuild restores the alerts' rows and emits none again", async () => {
    const org = await organization({ api_calls: 10 });
    await report(org.accountId, calls(10, "r"));
    await h.counted();
    const before = await alerts(org.accountId);
    expect(before).toHaveLength(3);
    const rowsOf = () =>
      h.service.db.$queryRawUnsafe<unknown[]>(
        "SELECT count(*)::int AS n FROM platform_events WHERE event_type = $1",
        UsageEvent.UsageThresholdReached,
      );
    const eventsBefore = await rowsOf();
    await h.service.rebuildAll(120_000);
    expect(await rowsOf()).toEqual(eventsBefore);
    expect(await alerts(org.accountId)).toEqual(before);
    const rows = await h.service.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SELECT set_config('app.tenant_id', $1, true)", org.accountId);
      return tx.usageAlert.findMany({
        where: { accountId: org.accountId },
        orderBy: { thresholdPercent: "asc" },
      });
    });
    expect(rows.map((r) => [r.thresholdPercent, Number(r.current), Number(r.limit)])).toEqual([
      [80, 10, 10],
      [90, 10, 10],
      [100, 10, 10],
    ]);
  }, 180_000);
});

describe("rate limits", () => {
  it("puts RateLimit-Policy and RateLimit on every answer of the ingest and check APIs", async () => {
    const org = await organization({ api_calls: 100 });
    const answers = [
      await check(org.accountId, { metric: "api_calls" }),
      await check(org.accountId, { metric: "bananas" }),
      await h.call("POST", `/v1/organizations/${org.accountId}/usage`, {
        token: await writer(org.accountId),
        body: { metric: "api_calls", quantity: 1, idempotency_key: "h-1" },
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 202]);
    // Each window with its default per-second rate, twice the minute's average (rounded up); the
    // second's window is nearer to refusal.
    expect(answers.map((a) => a.headers.get("ratelimit-policy"))).toEqual([
      '"starter";q=2000;w=60, "starter-burst";q=67;w=1',
      '"starter";q=2000;w=60, "starter-burst";q=67;w=1',
      '"starter";q=1000;w=60, "starter-burst";q=34;w=1',
    ]);
    expect(answers.map((a) => a.headers.get("ratelimit")?.split(";").slice(0, 2).join(";"))).toEqual([
      '"starter-burst";r=66',
      '"starter-burst";r=65',
      '"starter-burst";r=33',
    ]);
  });

  it("one tenant exhausting its quota leaves another alone (429 with Retry-After)", async () => {
    const flooding = await organization({ api_calls: 100 }, "tiny");
    const quiet = await organization({ api_calls: 100 }, "tiny");
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await check(flooding.accountId, { metric: "api_calls" })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await check(flooding.accountId, { metric: "api_calls" });
    expect(refused.body.code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    const other = await check(quiet.accountId, { metric: "api_calls" });
    expect(other.status).toBe(200);
    expect(other.headers.get("ratelimit")).toMatch(/^"tiny";r=2;t=\d+$/);
    // The ingest API has its own counter: the flood of checks did not spend it.
    const ingest = await h.call("POST", `/v1/organizations/${flooding.accountId}/usage`, {
      token: await writer(flooding.accountId),
      body: { metric: "api_calls", quantity: 1, idempotency_key: "after-flood" },
    });
    expect(ingest.status).toBe(202);
  });

  it("refuses past the plan's burst with Retry-After, leaving the other API alone, and allows again once it has passed", async () => {
    const org = await organization({ api_calls: 100 }, "bursty");
    const token = await writer(org.accountId);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await check(org.accountId, { metric: "api_calls" }, token)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const refused = await check(org.accountId, { metric: "api_calls" }, token);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      code: "rate_limited",
      policy: "bursty-burst",
      limit: 2,
      windowSeconds: 3,
    });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    expect(refused.headers.get("ratelimit-policy")).toBe('"bursty";q=120;w=60, "bursty-burst";q=2;w=3');
    expect(refused.headers.get("ratelimit")).toBe(`"bursty-burst";r=0;t=${retryAfter}`);
    // The ingest API has its own windows, with the default per-second rate (4 = 120 / 60 × 2).
    const ingest = await h.call("POST", `/v1/organizations/${org.accountId}/usage`, {
      token,
      body: { metric: "api_calls", quantity: 1, idempotency_key: "after-burst" },
    });
    expect(ingest.status).toBe(202);
    expect(ingest.headers.get("ratelimit-policy")).toBe('"bursty";q=120;w=60, "bursty-burst";q=4;w=1');
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    const again = await check(org.accountId, { metric: "api_calls" }, token);
    expect(again.status).toBe(200);
    expect(again.headers.get("ratelimit")).toMatch(/^"bursty-burst";r=1;t=\d$/);
  });

  it("refuses a spent organization's known token before reading the body, and no one else", async () => {
    const flooding = await organization({ api_calls: 100 }, "tiny");
    const quiet = await organization({ api_calls: 100 }, "tiny");
    const token = await writer(flooding.accountId);
    const raw = (accountId: string, bearer: string, body: string) =>
      fetch(`${h.url}/v1/organizations/${accountId}/quotas/check`, {
        method: "POST",
        headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
        body,
      });
    for (let i = 0; i < 3; i++)
      expect((await raw(flooding.accountId, token, '{"metric":"api_calls"}')).status).toBe(200);
    // Unparsable, this body would be 400: a 429 with the limiter's fields shows the gate answered first.
    const gated = await raw(flooding.accountId, token, "{not json");
    expect(gated.status).toBe(429);
    expect(((await gated.json()) as { code: string }).code).toBe("rate_limited");
    expect(gated.headers.get("ratelimit")).toMatch(/^"tiny";r=0;t=\d+$/);
    expect(Number(gated.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The quiet organization, and the flooder's token sent to another organization, go the usual way.
    expect((await raw(quiet.accountId, await writer(quiet.accountId), "{not json")).status).toBe(400);
    const foreign = await raw(quiet.accountId, token, '{"metric":"api_calls"}');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("ratelimit")).toBeNull();
    // A token not verified yet is not known to the gate: verified by the guards, then refused by the limiter.
    const fresh = await raw(flooding.accountId, await writer(flooding.accountId), "{not json");
    expect(fresh.status).toBe(400);
  });
});
