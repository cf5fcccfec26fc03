/**
 * The usage service against the real broker, registry and Postgres: ingestion over HTTP (plain and
 * CloudEvents) and straight to usage.ingest, every event counted once however often it comes, the
 * refusals with their stable codes, tenants kept apart, revoked keys refused, the meters, and the
 * period close with late events refused.
 */
import { randomUUID } from "node:crypto";
import { BillingEvent, IdentityEvent, TenancyEvent, UsageEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { deadLetterTopicFor, Headers, headersAsStrings, wireFormat } from "@platform/messaging";
import { waitFor } from "@platform/testkit";
import { REPORTED_SUBJECT, reportedSchema, USAGE_REPORTED } from "../src/domain/events";
import {
  DAY,
  type Harness,
  type Organization,
  planSnapshot,
  STARTER_LIMITS,
  startUsage,
} from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startUsage();
}, 120_000);
afterAll(() => h?.close());

const usagePath = (accountId: string) => `/v1/organizations/${accountId}/usage`;

async function writer(accountId: string) {
  return h.apiKeyToken(accountId, ["usage.write", "usage.read"]);
}

async function current(
  org: Organization,
): Promise<Record<string, { value: number; limit: number | null; percentage: number | null }>> {
  const res = await h.call("GET", usagePath(org.accountId), { token: await h.token(org.accountId) });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (
      res.body.metrics as { metric: string; value: number; limit: number | null; percentage: number | null }[]
    ).map((m) => [m.metric, { value: m.value, limit: m.limit, percentage: m.percentage }]),
  );
}

/** The test clock only moves forward: this test runs last in the file. */
function moveTo(time: number): void {
  h.clock.advance(time - h.clock.now().getTime());
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("ingestion, counted once", () => {
  it("counts every event once when each is sent three times in shuffled batches", async () => {
    const org = await h.organization();
    const token = await writer(org.accountId);
    const events = Array.from({ length: 120 }, (_, i) => ({
      metric: i % 3 === 0 ? "storage_gb" : "api_calls",
      quantity: (i % 7) + 1,
      idempotency_key: `evt-${i}`,
      timestamp: new Date(org.periodStart + i * 1000).toISOString(),
      dimensions: { endpoint: `/v1/things/${i % 4}` },
    }));
    const thrice = shuffled([...events, ...events, ...events]);
    const batches = Array.from({ length: Math.ceil(thrice.length / 50) }, (_, i) =>
      thrice.slice(i * 50, i * 50 + 50),
    );
    const answers = await Promise.all(
      batches.map((batch) =>
        h.call("POST", `${usagePath(org.accountId)}/batch`, { token, body: { events: batch } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(batches.map(() => 202));
    await h.counted();

    const once = events.filter((e) => e.metric === "api_calls").reduce((sum, e) => sum + e.quantity, 0);
    const latest = events.filter((e) => e.metric === "storage_gb").at(-1)?.quantity;
    const usage = await current(org);
    expect(usage.api_calls).toEqual({
      value: once,
      limit: 10_000,
      percentage: Math.round((once / 10_000) * 10_000) / 100,
    });
    expect(usage.storage_gb?.value).toBe(latest);
    expect(await h.rows(org.accountId)).toHaveLength(120);

    // Once more, all of it, after the count: success, nothing changes.
    const again = await h.call("POST", `${usagePath(org.accountId)}/batch`, {
      token,
      body: { events: events.slice(0, 100) },
    });
    expect([again.status, again.body.accepted]).toEqual([202, 100]);
    await h.counted();
    expect((await current(org)).api_calls?.value).toBe(once);
  });

  it("accepts one event, and CloudEvents whose source + id is the key", async () => {
    const org = await h.organization();
    const token = await writer(org.accountId);
    const one = await h.call("POST", usagePath(org.accountId), {
      token,
      body: { metric: "api_calls", quantity: 5, idempotency_key: "single-1" },
    });
    expect([one.status, one.body]).toEqual([202, { accepted: 1, duplicates: 0 }]);
    const cloud = (id: string, source: string) => ({
      specversion: "1.0",
      id,
      source,
      type: "api_calls",
      subject: "customer-1",
      time: h.clock.now().toISOString(),
      data: { quantity: 10, endpoint: "/v1/orders", status: 200 },
    });
    for (const body of [cloud("1", "svc-a"), cloud("1", "svc-a"), cloud("1", "svc-b"), cloud("2", "svc-a")])
      expect((await h.call("POST", usagePath(org.accountId), { token, body })).status).toBe(202);
    await h.counted();
    expect((await current(org)).api_calls?.value).toBe(35);
    const keys = (await h.rows(org.accountId)).map((r) => r.idempotencyKey);
    expect(keys).toEqual(['["svc-a","1"]', '["svc-a","2"]', '["svc-b","1"]', "single-1"]);
    const repeat = await h.call("POST", usagePath(org.accountId), {
      token,
      body: { metric: "api_calls", quantity: 5, idempotency_key: "single-1" },
    });
    expect([repeat.status, repeat.body]).toEqual([202, { accepted: 1, duplicates: 1 }]);
  });

  it("counts records a backend produced straight to usage.ingest, once, and dead-letters none of the good ones", async () => {
    const org = await h.organization();
    const id = await h.service.serde.schemaId(REPORTED_SUBJECT(h.topics.ingest), reportedSchema);
    const type = h.service.reports.type;
    const record = (key: string, quantity: number) => ({
      key: org.accountId,
      value: wireFormat(
        id,
        type.toBuffer({
          account_id: org.accountId,
          idempotency_key: key,
          metric: "api_calls",
          quantity,
          dimensions: {},
          source: null,
          subject: null,
          occurred_at: h.clock.now().getTime(),
          correction: null,
          actor: { type: "system", id: "billing-backend", ip_address: null, user_agent: null },
        }),
      ),
      headers: { [Headers.eventType]: USAGE_REPORTED, [Headers.eventId]: key },
    });
    const messages = [record("k1", 3), record("k2", 4), record("k1", 3), record("k3", 5), record("k2", 4)];
    await h.producer.send({ topic: h.topics.ingest, messages });
    await h.counted();
    expect((await current(org)).api_calls?.value).toBe(12);
  });
});

describe("records that did not come through the edge", () => {
  it("dead-letters a record with an unknown metric alone, with its reason, and counts the rest of its run", async () => {
    const org = await h.organization();
    const record = (key: string, metric: string) => ({
      account_id: org.accountId,
      idempotency_key: key,
      metric,
      quantity: 2,
      dimensions: {},
      source: null,
      subject: null,
      occurred_at: h.clock.now().getTime(),
      correction: null,
      actor: { type: "system", id: "backend", ip_address: null, user_agent: null },
    });
    await h.service.reports.send([
      record("g1", "api_calls"),
      record("bad", "teleports"),
      record("g2", "api_calls"),
    ]);
    await h.counted();
    expect((await h.rows(org.accountId)).map((r) => r.idempotencyKey)).toEqual(["g1", "g2"]);
    const dlq = deadLetterTopicFor(h.service.countGroup);
    const letter = await waitFor(() => firstMessage(dlq), { what: "the dead letter" });
    expect(letter.headers["dlq-reason"]).toMatch(/teleports/);
    expect(letter.headers["event-id"]).toBe("bad");
  });
});

async function firstMessage(topic: string): Promise<{ headers: Record<string, string> } | undefined> {
  const admin = h.service.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
    if (!offsets.some((p) => Number(p.high) > 0)) return undefined;
  } finally {
    await admin.disconnect();
  }
  const consumer = h.service.kafka.consumer({ groupId: `${topic}.reader.${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          resolve({ headers: headersAsStrings(message.headers) });
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe("refusals", () => {
  let org: Organization;
  let token: string;
  beforeAll(async () => {
    org = await h.organization();
    token = await writer(org.accountId);
  });

  const base = { metric: "api_calls", quantity: 1, idempotency_key: "k" };
  it.each([
    ["a negative quantity", { ...base, quantity: -1 }, "negative_quantity"],
    ["no idempotency key", { metric: "api_calls", quantity: 1 }, "idempotency_key_required"],
    ["a blank idempotency key", { ...base, idempotency_key: " " }, "idempotency_key_required"],
    ["an unknown metric", { ...base, metric: "teleports" }, "unknown_metric"],
    ["a gauge counted from tenancy", { ...base, metric: "users" }, "metric_not_reportable"],
    ["a fractional quantity", { ...base, quantity: 1.5 }, "invalid_quantity"],
    [
      "a timestamp more than 1 h ahead",
      { ...base, timestamp: "2999-01-01T00:00:00Z" },
      "timestamp_in_future",
    ],
    ["a timestamp that is no time", { ...base, timestamp: "yesterday" }, "invalid_timestamp"],
    ["dimensions that are not strings", { ...base, dimensions: { n: 1 } }, "invalid_dimensions"],
    [
      "a CloudEvent without a source",
      { specversion: "1.0", id: "1", type: "api_calls" },
      "idempotency_key_required",
    ],
  ])("refuses %s with 400 and its code", async (_what, body, code) => {
    const res = await h.call("POST", usagePath(org.accountId), { token, body });
    expect([res.status, res.body.code]).toEqual([400, code]);
  });

  it("refuses a batch over the limit whole, and names each bad event of a batch by index and code", async () => {
    const big = Array.from({ length: 1001 }, (_, i) => ({ ...base, idempotency_key: `b${i}` }));
    const tooLarge = await h.call("POST", `${usagePath(org.accountId)}/batch`, {
      token,
      body: { events: big },
    });
    expect([tooLarge.status, tooLarge.body.code]).toEqual([400, "batch_too_large"]);
    const mixed = await h.call("POST", `${usagePath(org.accountId)}/batch`, {
      token,
      body: {
        events: [
          { ...base, idempotency_key: "ok" },
          { ...base, quantity: -2 },
          { metric: "nope", quantity: 1 },
        ],
      },
    });
    expect([mixed.status, mixed.body.code]).toEqual([400, "invalid_batch"]);
    expect(mixed.body.errors.map((e: { index: number; code: string }) => [e.index, e.code])).toEqual([
      [1, "negative_quantity"],
      [2, "unknown_metric"],
      [2, "idempotency_key_required"],
    ]);
    await h.counted();
    expect(await h.rows(org.accountId)).toEqual([]);
  });

  it("answers 409 idempotency_key_reused for a key seen with another body, in the batch or counted before", async () => {
    const first = await h.call("POST", usagePath(org.accountId), {
      token,
      body: { ...base, idempotency_key: "reuse" },
    });
    expect(first.status).toBe(202);
    await h.counted();
    const other = await h.call("POST", usagePath(org.accountId), {
      token,
      body: { ...base, idempotency_key: "reuse", quantity: 9 },
    });
    expect([other.status, other.body.code]).toEqual([409, "idempotency_key_reused"]);
    const inBatch = await h.call("POST", `${usagePath(org.accountId)}/batch`, {
      token,
      body: {
        events: [
          { ...base, idempotency_key: "twin" },
          { ...base, idempotency_key: "twin", quantity: 2 },
        ],
      },
    });
    expect([inBatch.status, inBatch.body.code]).toEqual([409, "idempotency_key_reused"]);
    await h.counted();
    expect((await h.rows(org.accountId)).map((r) => [r.idempotencyKey, r.quantity])).toEqual([["reuse", 1n]]);
  });
});

describe("who may report", () => {
  it("refuses another organization's credential, a key without usage.write, and a member without it", async () => {
    const mine = await h.organization();
    const theirs = await h.organization();
    const body = { metric: "api_calls", quantity: 1, idempotency_key: "x" };
    const cross = await h.call("POST", usagePath(mine.accountId), {
      token: await writer(theirs.accountId),
      body,
    });
    expect([cross.status, cross.body.code]).toEqual([403, "account_mismatch"]);
    const readOnly = await h.apiKeyToken(mine.accountId, ["usage.read"]);
    const noWrite = await h.call("POST", usagePath(mine.accountId), { token: readOnly, body });
    expect([noWrite.status, noWrite.body.code]).toEqual([403, "permission_denied"]);
    expect((await h.call("GET", usagePath(mine.accountId), { token: readOnly })).status).toBe(200);
    const member = await h.call("POST", usagePath(mine.accountId), {
      token: await h.token(mine.accountId, "member"),
      body,
    });
    expect([member.status, member.body.code]).toEqual([403, "permission_denied"]);
    const admin = await h.call("POST", usagePath(mine.accountId), {
      token: await h.token(mine.accountId, "admin"),
      body,
    });
    expect(admin.status).toBe(202);
    const noToken = await h.call("POST", usagePath(mine.accountId), { body });
    expect(noToken.status).toBe(401);
    await h.counted();
    expect(await h.rows(theirs.accountId)).toEqual([]);
  });

  it("refuses an API key identity revoked, within seconds", async () => {
    const org = await h.organization();
    const keyId = `key_${randomUUID()}`;
    const token = await h.apiKeyToken(org.accountId, ["usage.write"], keyId);
    const body = { metric: "api_calls", quantity: 1, idempotency_key: "before" };
    expect((await h.call("POST", usagePath(org.accountId), { token, body })).status).toBe(202);
    await h.publish("identity", IdentityEvent.AccessRevoked, `rev_api_key_${keyId}`, {
      account_id: org.accountId,
      scope: "api_key",
      subject_id: keyId,
      tokens_issued_before: h.clock.now().getTime() + 1,
      reason: "test",
    });
    const refused = await waitFor(
      async () => {
        const res = await h.call("POST", usagePath(org.accountId), {
          token,
          body: { ...body, idempotency_key: "after" },
        });
        return res.status === 401 ? res : undefined;
      },
      { what: "usage to refuse the revoked key", timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(refused.body.code).toBe("token_revoked");
  });
});

describe("meters and periods", () => {
  it("reads users and projects from tenancy's events, and the other aggregations from reported events", async () => {
    const org = await h.organization();
    const { accountId } = org;
    for (const [user, group] of [
      ["u1", "g_root"],
      ["u2", "g_root"],
      ["u1", "g_team"],
    ])
      await h.publish("tenancy", TenancyEvent.MemberAdded, `membership:${user}:${group}`, {
        account_id: accountId,
        user_id: user,
        group_id: group,
        group_type: "account",
        role: "member",
        source: "invitation",
      });
    for (const project of ["p1", "p2"])
      await h.publish("tenancy", TenancyEvent.GroupCreated, project, {
        account_id: accountId,
        group_id: project,
        group_type: "project",
        parent_group_id: "g_root",
        ancestor_group_ids: ["g_root"],
        name: project,
        allowed_roles: [],
        default_role: null,
      });
    await h.publish("tenancy", TenancyEvent.GroupArchived, "p2", {
      account_id: accountId,
      group_id: "p2",
      group_type: "project",
      parent_group_id: "g_root",
      ancestor_group_ids: ["g_root"],
      name: "p2",
      archived_descendant_group_ids: [],
    });
    const token = await writer(accountId);
    const events = [
      { metric: "active_users", quantity: 1, idempotency_key: "a1", dimensions: { user_id: "u1" } },
      { metric: "active_users", quantity: 1, idempotency_key: "a2", dimensions: { user_id: "u2" } },
      { metric: "active_users", quantity: 1, idempotency_key: "a3", dimensions: { user_id: "u1" } },
      { metric: "peak_connections", quantity: 40, idempotency_key: "c1" },
      { metric: "peak_connections", quantity: 75, idempotency_key: "c2" },
      { metric: "peak_connections", quantity: 12, idempotency_key: "c3" },
      { metric: "exports", quantity: 100, idempotency_key: "e1" },
      { metric: "exports", quantity: 0, idempotency_key: "e2" },
    ];
    expect((await h.call("POST", `${usagePath(accountId)}/batch`, { token, body: { events } })).status).toBe(
      202,
    );
    await h.counted();
    await waitFor(async () => ((await current(org)).projects?.value === 1 ? true : undefined), {
      what: "tenancy's projects to reach usage",
    });
    const usage = await current(org);
    expect(Object.fromEntries(Object.entries(usage).map(([m, u]) => [m, u.value]))).toEqual({
      api_calls: 0,
      storage_gb: 0,
      users: 2,
      projects: 1,
      active_users: 2,
      peak_connections: 75,
      exports: 2,
    });
    expect(usage.users).toEqual({ value: 2, limit: 5, percentage: 40 });
    expect(usage.active_users?.limit).toBeNull();
  });

  it("follows billing's periods: an upgrade changes the limits, an interval switch starts a new period", async () => {
    const org = await h.organization();
    const { accountId, subscriptionId } = org;
    const upgraded = { ...STARTER_LIMITS, api_calls: 100_000 };
    await h.publish("billing", BillingEvent.SubscriptionUpgraded, subscriptionId, {
      account_id: accountId,
      subscription_id: subscriptionId,
      subscription_status: "active",
      current_period_start: org.periodStart,
      current_period_end: org.periodEnd,
      mrr_cents: 19_900,
      previous_plan: planSnapshot(STARTER_LIMITS),
      plan: planSnapshot(upgraded, "professional"),
      immediate: true,
      effective_at: h.clock.now().getTime(),
      proration_cents: 0,
      previous_mrr_cents: 4_900,
    });
    await waitFor(async () => ((await current(org)).api_calls?.limit === 100_000 ? true : undefined), {
      what: "the upgrade's limits",
    });
    const switchedAt = h.clock.now().getTime() + 1;
    await h.publish("billing", BillingEvent.BillingCycleChanged, subscriptionId, {
      account_id: accountId,
      subscription_id: subscriptionId,
      subscription_status: "active",
      current_period_start: switchedAt,
      current_period_end: switchedAt + 365 * DAY,
      mrr_cents: 16_583,
      previous_plan: planSnapshot(upgraded, "professional"),
      plan: planSnapshot(upgraded, "professional"),
      proration_cents: 0,
      previous_mrr_cents: 19_900,
    });
    const periods = await waitFor(
      async () => {
        const rows = await inTenant(h.service.db, accountId, (tx) =>
          tx.billingPeriod.findMany({ where: { accountId }, orderBy: { periodStart: "asc" } }),
        );
        return rows.length === 2 ? rows : undefined;
      },
      { what: "the new period" },
    );
    expect(periods.map((p) => [p.periodStart.getTime(), p.periodEnd.getTime()])).toEqual([
      [org.periodStart, switchedAt],
      [switchedAt, switchedAt + 365 * DAY],
    ]);
  });

  it("ends the period where billing's SubscriptionEnded ends the subscription (canceled now), and closes it there", async () => {
    const org = await h.organization();
    const other = await h.organization();
    const endsAt = org.periodStart + 2 * DAY;
    moveTo(endsAt - 60_000);
    const used = await h.call("POST", usagePath(org.accountId), {
      token: await writer(org.accountId),
      body: { metric: "api_calls", quantity: 12_000, idempotency_key: "before-end", timestamp: endsAt - DAY },
    });
    expect(used.status).toBe(202);
    await h.counted();
    moveTo(endsAt);
    const ended = {
      account_id: org.accountId,
      subscription_id: org.subscriptionId,
      subscription_status: "ended",
      plan: planSnapshot(STARTER_LIMITS),
      previous_mrr_cents: 4_900,
      mrr_cents: 0,
      reason: "canceled",
    };
    // Redelivered: the period ends at the first one's time all the same.
    await h.publish("billing", BillingEvent.SubscriptionEnded, org.subscriptionId, ended);
    moveTo(endsAt + 60_000);
    await h.publish("billing", BillingEvent.SubscriptionEnded, org.subscriptionId, {
      ...ended,
      occurred_at: endsAt,
    });
    const periodOf = (accountId: string) =>
      inTenant(h.service.db, accountId, (tx) => tx.billingPeriod.findFirst({ where: { accountId } }));
    await waitFor(
      async () => ((await periodOf(org.accountId))?.periodEnd.getTime() === endsAt ? true : undefined),
      {
        what: "the period to end with the subscription",
      },
    );
    expect((await periodOf(other.accountId))?.periodEnd.getTime()).toBe(other.periodEnd);

    moveTo(endsAt + 30 * 60_000); // in the grace: open
    await h.service.closer.runDueFor(org.accountId);
    moveTo(endsAt + 61 * 60_000);
    expect((await h.service.closer.runDueFor(org.accountId)).closed).toBe(1);
    const closings = await h.service.db.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(
      "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2",
      org.accountId,
      UsageEvent.UsagePeriodClosed,
    );
    expect(closings.map((c) => c.payload)).toMatchObject([
      {
        subscription_id: org.subscriptionId,
        period_start: org.periodStart,
        period_end: endsAt,
        limits: { api_calls: 10_000 },
        totals: expect.objectContaining({ api_calls: 12_000 }),
      },
    ]);
    // The other organization's period runs on, unclosed.
    expect(await h.service.closer.runDueFor(other.accountId)).toEqual({ closed: 0, failures: [] });
    const late = await h.call("POST", usagePath(org.accountId), {
      token: await writer(org.accountId),
      body: { metric: "api_calls", quantity: 1, idempotency_key: "late", timestamp: endsAt - 60_000 },
    });
    expect([late.status, late.body.code]).toEqual([409, "period_closed"]);
  });

  it("closes a period once when two closers race", async () => {
    const org = await h.organization();
    moveTo(org.periodEnd + 2 * 3_600_000);
    const results = await Promise.allSettled([
      h.service.closer.close(org.accountId, new Date(org.periodStart)),
      h.service.closer.close(org.accountId, new Date(org.periodStart)),
    ]);
    const closedNow = results.filter((r) => r.status === "fulfilled" && r.value === true);
    const lost = results.filter((r) =>
      r.status === "fulfilled"
        ? r.value === false
        : (r.reason as { code?: string }).code === "concurrency_conflict",
    );
    expect([closedNow.length, lost.length]).toEqual([1, 1]);
    const rows = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM platform_events WHERE tenant_id = $1",
      org.accountId,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it("closes a period at its end plus the grace with its totals, then refuses late events for it", async () => {
    const org = await h.organization();
    moveTo(org.periodEnd - 30 * 60_000);
    const inPeriod = new Date(org.periodEnd - 60_000).toISOString();
    const big = await h.call("POST", usagePath(org.accountId), {
      token: await writer(org.accountId),
      body: { metric: "api_calls", quantity: 12_000, idempotency_key: "big", timestamp: inPeriod },
    });
    expect(big.status).toBe(202);
    await h.counted();

    moveTo(org.periodEnd + 30 * 60_000); // in the grace window: not closed, still counted
    await h.service.closeDuePeriods(); // closes the earlier tests' periods, not this one
    const closedPeriods = () =>
      inTenant(h.service.db, org.accountId, (tx) =>
        tx.closedPeriod.findMany({ where: { accountId: org.accountId } }),
      );
    expect(await closedPeriods()).toEqual([]);
    const inGrace = await h.call("POST", usagePath(org.accountId), {
      token: await writer(org.accountId),
      body: { metric: "api_calls", quantity: 1, idempotency_key: "in-grace", timestamp: inPeriod },
    });
    expect(inGrace.status).toBe(202);
    await h.counted();

    moveTo(org.periodEnd + 61 * 60_000);
    expect(await h.service.closeDuePeriods()).toBeGreaterThanOrEqual(1);
    expect(await h.service.closeDuePeriods()).toBe(0); // closed once
    const [closing] = await h.service.db.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(
      "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2",
      org.accountId,
      UsageEvent.UsagePeriodClosed,
    );
    expect(closing?.payload).toMatchObject({
      account_id: org.accountId,
      subscription_id: org.subscriptionId,
      period_start: org.periodStart,
      period_end: org.periodEnd,
      limits: { api_calls: 10_000 },
    });
    expect(closing?.payload.totals).toMatchObject({ api_calls: 12_001 });

    const late = await h.call("POST", usagePath(org.accountId), {
      token: await writer(org.accountId),
      body: { metric: "api_calls", quantity: 1, idempotency_key: "late", timestamp: inPeriod },
    });
    expect([late.status, late.body.code]).toEqual([409, "period_closed"]);
    // The same late event straight to the topic (no edge to refuse it): kept, not counted.
    const record = h.service.reports;
    await record.send([
      {
        account_id: org.accountId,
        idempotency_key: "late-kafka",
        metric: "api_calls",
        quantity: 1,
        dimensions: {},
        source: null,
        subject: null,
        occurred_at: org.periodEnd - 1,
        correction: null,
        actor: { type: "system", id: null, ip_address: null, user_agent: null },
      },
    ]);
    await h.counted();
    const rows = await h.rows(org.accountId);
    expect(rows.map((r) => [r.idempotencyKey, r.counted])).toEqual([
      ["big", true],
      ["in-grace", true],
      ["late-kafka", false],
    ]);
    expect(await closedPeriods()).toHaveLength(1);
  });
});
