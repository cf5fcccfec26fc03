/**
 * Idempotency-Key on billing's POSTs (docs/billing.md, "Idempotency"), against the real database: a
 * retry replays the first answer (status, body, Idempotent-Replayed), another body with the same key is
 * 409 idempotency_key_reused, concurrent requests with one key run once (the rest 409
 * idempotency_key_in_use, as at Stripe — also shown deterministically on a route held open), keys are
 * per organization and expire after 24 h, a dead holder's key is taken over after its lock, 5xx and
 * retriable conflicts are not kept. Every POST of billing's route table honours the key.
 */
import { randomUUID } from "node:crypto";
import { ConcurrencyConflictError } from "@platform/errors";
import {
  createHttpApp,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotent,
  param,
  routeTableOf,
  type Serving,
  serve,
} from "@platform/http";
import { httpCaller, waitFor } from "@platform/testkit";
import { type Harness, startBilling } from "./support/harness";

const OPERATOR = "operator-token-for-the-idempotency-test-0123456789";
let h: Harness;
beforeAll(async () => {
  h = await startBilling({ BILLING_OPERATOR_TOKEN: OPERATOR });
});
afterAll(() => h?.close());

const DAY = 86_400_000;
const path = (accountId: string, tail: string) => `/v1/organizations/${accountId}/subscription${tail}`;
const keyed = (key: string) => ({ [IDEMPOTENCY_KEY_HEADER]: key });
const replayed = (answer: { headers: Headers }) => answer.headers.get(IDEMPOTENT_REPLAYED_HEADER) === "true";

/** How many events billing's log holds for the organization: what "ran once" is counted by. */
async function eventCount(accountId: string): Promise<number> {
  const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM platform_events WHERE tenant_id = $1",
    accountId,
  );
  return row?.n ?? 0;
}

it("replays the first answer to a retry with the same key and body, and runs the command once", async () => {
  const { accountId } = await h.organization("Replay");
  const token = await h.token(accountId);
  const key = randomUUID();
  const body = { payment_method_id: "pm_card_visa", brand: "visa", last4: "4242" };
  const first = await h.call("POST", path(accountId, "/payment-method"), {
    token,
    body,
    headers: keyed(key),
  });
  expect(first.status).toBe(200);
  expect(replayed(first)).toBe(false);
  const events = await eventCount(accountId);

  // The same body with its keys in another order is the same request.
  const again = await h.call("POST", path(accountId, "/payment-method"), {
    token,
    body: { last4: "4242", brand: "visa", payment_method_id: "pm_card_visa" },
    headers: keyed(key),
  });
  expect({ status: again.status, body: again.body, replayed: replayed(again) }).toEqual({
    status: 200,
    body: first.body,
    replayed: true,
  });
  expect(again.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await eventCount(accountId)).toBe(events);
});

it("refuses the same key with another body, or on another route, with 409 idempotency_key_reused", async () => {
  const { accountId } = await h.organization("Reuse");
  const token = await h.token(accountId);
  const key = randomUUID();
  const url = path(accountId, "/payment-method");
  expect(
    (await h.call("POST", url, { token, body: { payment_method_id: "pm_a" }, headers: keyed(key) })).status,
  ).toBe(200);
  const events = await eventCount(accountId);
  const other = await h.call("POST", url, {
    token,
    body: { payment_method_id: "pm_b" },
    headers: keyed(key),
  });
  expect({ status: other.status, code: other.body.code }).toEqual({
    status: 409,
    code: "idempotency_key_reused",
  });
  expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const elsewhere = await h.call("POST", path(accountId, "/cancel"), {
    token,
    body: {},
    headers: keyed(key),
  });
  expect({ status: elsewhere.status, code: elsewhere.body.code }).toEqual({
    status: 409,
    code: "idempotency_key_reused",
  });
  expect(await eventCount(accountId)).toBe(events);
  expect((await h.service.subscriptions.get(accountId)).paymentMethodId).toBe("pm_a");
});

it("runs concurrent requests with one key once: the others get 409 idempotency_key_in_use or the replay", async () => {
  const { accountId } = await h.organization("Concurrent");
  const token = await h.token(accountId);
  const before = await eventCount(accountId);
  const key = randomUUID();
  const answers = await Promise.all(
    Array.from({ length: 6 }, () =>
      h.call("POST", path(accountId, "/upgrade"), {
        token,
        body: { plan_id: "enterprise" },
        headers: keyed(key),
      }),
    ),
  );
  const ran = answers.filter((answer) => answer.status === 200 && !replayed(answer));
  expect(ran).toHaveLength(1);
  for (const answer of answers.filter((a) => a !== ran[0])) {
    if (answer.status === 409) {
      expect(answer.body.code).toBe("idempotency_key_in_use");
      expect(answer.headers.get("retry-after")).toBe("1");
    } else
      expect({ status: answer.status, replayed: replayed(answer), body: answer.body }).toEqual({
        status: 200,
        replayed: true,
        body: ran[0]?.body,
      });
  }
  // Exactly one upgrade's events, and a retry once it finished gets its answer.
  const after = await eventCount(accountId);
  expect(after).toBeGreaterThan(before);
  const retry = await h.call("POST", path(accountId, "/upgrade"), {
    token,
    body: { plan_id: "enterprise" },
    headers: keyed(key),
  });
  expect({ status: retry.status, replayed: replayed(retry), body: retry.body }).toEqual({
    status: 200,
    replayed: true,
    body: ran[0]?.body,
  });
  expect(await eventCount(accountId)).toBe(after);
  // Without the key the same upgrade is a second command, refused by the aggregate: the key was what held it.
  const unkeyed = await h.call("POST", path(accountId, "/upgrade"), {
    token,
    body: { plan_id: "enterprise" },
  });
  expect(unkeyed.status).toBe(400);
});

it("keeps keys per organization: another organization's same key and body runs on its own", async () => {
  const a = await h.organization("Tenant A");
  const b = await h.organization("Tenant B");
  const key = "order-2026-0001";
  const body = { payment_method_id: "pm_card_visa" };
  const first = await h.call("POST", path(a.accountId, "/payment-method"), {
    token: await h.token(a.accountId),
    body,
    headers: keyed(key),
  });
  const eventsOfB = await eventCount(b.accountId);
  const second = await h.call("POST", path(b.accountId, "/payment-method"), {
    token: await h.token(b.accountId),
    body,
    headers: keyed(key),
  });
  expect([first.status, second.status, replayed(second)]).toEqual([200, 200, false]);
  expect(second.body.subscription_id).toBe(b.subscription.id);
  expect(await eventCount(b.accountId)).toBeGreaterThan(eventsOfB);
  // And B's token cannot reach A's answer: the guards run before any replay.
  const crossing = await h.call("POST", path(a.accountId, "/payment-method"), {
    token: await h.token(b.accountId),
    body,
    headers: keyed(key),
  });
  expect(crossing.status).toBe(403);
});

it("keeps 4xx answers, refuses keys longer than 255 characters, and lets a POST without a key run", async () => {
  const { accountId } = await h.organization("Refusals");
  const token = await h.token(accountId);
  const key = randomUUID();
  const unknown = { token, body: { plan_id: "platinum" }, headers: keyed(key) };
  const first = await h.call("POST", path(accountId, "/upgrade"), unknown);
  expect({ status: first.status, code: first.body.code }).toEqual({ status: 400, code: "unknown_plan" });
  const again = await h.call("POST", path(accountId, "/upgrade"), unknown);
  expect({ status: again.status, replayed: replayed(again), body: again.body }).toEqual({
    status: 400,
    replayed: true,
    body: first.body,
  });

  const long = await h.call("POST", path(accountId, "/payment-method"), {
    token,
    body: { payment_method_id: "pm_card_visa" },
    headers: keyed("k".repeat(256)),
  });
  expect({ status: long.status, code: long.body.code }).toEqual({
    status: 400,
    code: "idempotency_key_invalid",
  });
  const longest = await h.call("POST", path(accountId, "/payment-method"), {
    token,
    body: { payment_method_id: "pm_card_visa" },
    headers: keyed("k".repeat(255)),
  });
  expect(longest.status).toBe(200);
  const none = await h.call("POST", path(accountId, "/payment-method"), {
    token,
    body: { payment_method_id: "pm_card_mastercard" },
  });
  expect([none.status, replayed(none)]).toEqual([200, false]);
});

it("frees a key after 24 hours, and prune deletes the expired keys", async () => {
  const { accountId } = await h.organization("Expiry");
  const key = randomUUID();
  const url = path(accountId, "/payment-method");
  const first = await h.call("POST", url, {
    token: await h.token(accountId),
    body: { payment_method_id: "pm_old" },
    headers: keyed(key),
  });
  expect(first.status).toBe(200);
  const keys = () =>
    h.service.db.$transaction(async (tx) => {
      await tx.$queryRawUnsafe("SELECT set_config('app.tenant_id', $1, true)", accountId);
      return tx.$queryRawUnsafe<{ key: string }[]>("SELECT key FROM platform_idempotency_keys");
    });
  expect(await h.service.idempotency.prune()).toBe(0);
  expect(await keys()).toHaveLength(1);

  h.clock.advance(DAY - 60_000);
  const early = await h.call("POST", url, {
    token: await h.token(accountId),
    body: { payment_method_id: "pm_new" },
    headers: keyed(key),
  });
  expect(early.body.code).toBe("idempotency_key_reused");

  h.clock.advance(60_000);
  expect(await h.service.idempotency.prune()).toBeGreaterThanOrEqual(1);
  expect(await keys()).toEqual([]);
  const later = await h.call("POST", url, {
    token: await h.token(accountId),
    body: { payment_method_id: "pm_new" },
    headers: keyed(key),
  });
  expect([later.status, replayed(later)]).toEqual([200, false]);
  expect((await h.service.subscriptions.get(accountId)).paymentMethodId).toBe("pm_new");
});

it("honours Idempotency-Key on every POST of billing's route table", async () => {
  const { accountId } = await h.organization("Every route");
  const token = await h.token(accountId);
  const posts = routeTableOf(h.app).filter((route) => route.method === "POST");
  expect(posts.length).toBeGreaterThanOrEqual(5);
  const missing: string[] = [];
  for (const route of posts) {
    // Any answer the route gives (here mostly 400 for an empty body) is kept and replayed.
    const url = route.path.replace(":accountId", accountId).replace(/:[A-Za-z]+/g, "none");
    const key = randomUUID();
    // The operator's routes (not in an organization) take the operator's token.
    const as = route.path.includes(":accountId") ? token : OPERATOR;
    const first = await h.call("POST", url, { token: as, body: {}, headers: keyed(key) });
    const second = await h.call("POST", url, { token: as, body: {}, headers: keyed(key) });
    if (!replayed(second) || second.status !== first.status) missing.push(`POST ${route.path}`);
  }
  expect(missing).toEqual([]);
});

describe("the kit's rules on a route it can hold open", () => {
  let serving: Serving;
  let outcomes: Error[];
  /** While set, the route waits for it before answering: a request that is still running. */
  let gate: Promise<void> | undefined;
  let runs = 0;
  beforeAll(async () => {
    const app = createHttpApp({
      logger: h.service.logger,
      routes: (router) =>
        router.post(
          "/v1/organizations/:accountId/flaky",
          idempotent(h.service.idempotency, (req) => param(req, "accountId")),
          async (_req, res) => {
            runs += 1;
            await gate;
            const outcome = outcomes.shift();
            if (outcome) throw outcome;
            res.status(201).json({ ran: true });
          },
        ),
    });
    serving = await serve(app, { port: 0, host: "127.0.0.1" });
  });
  afterAll(() => serving?.close());
  const call = () => httpCaller(`http://127.0.0.1:${serving.port}`);
  const flaky = (accountId: string) => `/v1/organizations/${accountId}/flaky`;

  it("answers 409 idempotency_key_in_use while the first request runs, then replays its answer", async () => {
    outcomes = [];
    let open = () => {};
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const accountId = `acc_${randomUUID()}`;
    const key = randomUUID();
    const before = runs;
    const first = call()("POST", flaky(accountId), { body: { n: 1 }, headers: keyed(key) });
    await waitFor(() => (runs > before ? true : undefined), { what: "the first request to be running" });
    const second = await call()("POST", flaky(accountId), { body: { n: 1 }, headers: keyed(key) });
    expect([second.status, second.body.code, second.headers.get("retry-after")]).toEqual([
      409,
      "idempotency_key_in_use",
      "1",
    ]);
    open();
    gate = undefined;
    expect((await first).status).toBe(201);
    const third = await call()("POST", flaky(accountId), { body: { n: 1 }, headers: keyed(key) });
    expect([third.status, replayed(third)]).toEqual([201, true]);
    expect(runs - before).toBe(1);
  });

  it("lets a retry take over a key whose holder died, once its lock ran out (a minute)", async () => {
    outcomes = [];
    const accountId = `acc_${randomUUID()}`;
    const key = randomUUID();
    const request = { fingerprint: "f", method: "POST", path: flaky(accountId) };
    // A holder that took the key and never answered (its process died).
    expect((await h.service.idempotency.begin(accountId, key, request)).kind).toBe("acquired");
    expect((await h.service.idempotency.begin(accountId, key, request)).kind).toBe("in_use");
    h.clock.advance(h.service.idempotency.lockMs);
    expect((await h.service.idempotency.begin(accountId, key, request)).kind).toBe("acquired");
    // Another request under the stale key is still refused: the key belongs to the first request's body.
    h.clock.advance(h.service.idempotency.lockMs);
    expect((await h.service.idempotency.begin(accountId, key, { ...request, fingerprint: "g" })).kind).toBe(
      "reused",
    );
  });

  it.each([
    ["a 500", () => new Error("boom")],
    ["a 409 concurrency_conflict", () => new ConcurrencyConflictError("sub_x", 3)],
  ])("%s frees the key: the retry runs", async (_name, failure) => {
    outcomes = [failure()];
    const accountId = `acc_${randomUUID()}`;
    const key = randomUUID();
    const failed = await call()("POST", `/v1/organizations/${accountId}/flaky`, {
      body: {},
      headers: keyed(key),
    });
    expect(failed.status).toBeGreaterThanOrEqual(409);
    const retried = await call()("POST", `/v1/organizations/${accountId}/flaky`, {
      body: {},
      headers: keyed(key),
    });
    expect([retried.status, replayed(retried)]).toEqual([201, false]);
    const replay = await call()("POST", `/v1/organizations/${accountId}/flaky`, {
      body: {},
      headers: keyed(key),
    });
    expect([replay.status, replayed(replay)]).toEqual([201, true]);
  });
});
