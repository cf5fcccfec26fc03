/**
 * The plan's `projects` limit (issue #13), enforced at tenancy from its own count of projects and its
 * projection of billing's plan events (no call to billing), against real Postgres, Kafka and the
 * registry: the test plays billing on its topic, as the seat tests do.
 */
import { BillingEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { type Harness, startTenancy } from "./support/harness";

/** Small on purpose: the no-plan limit is reached with one project. */
const PROJECT_LIMIT_WITHOUT_PLAN = 1;

let h: Harness;
beforeAll(async () => {
  h = await startTenancy({ PROJECT_LIMIT_WITHOUT_PLAN: String(PROJECT_LIMIT_WITHOUT_PLAN) });
});
afterAll(() => h.close());

type Org = Awaited<ReturnType<Harness["organization"]>>;

function snapshot(planId: string, limits: Record<string, number>, interval = "month") {
  return {
    plan_id: planId,
    name: planId,
    interval,
    price_cents: 4900,
    currency: "USD",
    limits,
    overage_unit_prices: {},
    features: [],
  };
}

function subscription(org: Org, status = "active") {
  return {
    account_id: org.accountId,
    subscription_id: `sub_${org.accountId}`,
    subscription_status: status,
    current_period_start: Date.now(),
    current_period_end: Date.now() + 30 * 86_400_000,
    mrr_cents: 4900,
  };
}

/** A plan change as billing announces it: upgraded or downgraded, in force now. */
function change(org: Org, from: ReturnType<typeof snapshot>, to: ReturnType<typeof snapshot>) {
  return {
    ...subscription(org),
    plan: to,
    previous_plan: from,
    immediate: true,
    effective_at: Date.now(),
    proration_cents: 0,
    previous_mrr_cents: 4900,
  };
}

/** Waits until tenancy's projection of billing's events shows the limit (the traits answer it). */
async function limitBecomes(org: Org, limit: number) {
  return waitFor(
    () =>
      h
        .call("GET", `/v1/organizations/${org.accountId}/traits`, { token: org.owner.token })
        .then((r) => (r.body.project_limit === limit ? r.body : undefined)),
    { what: `project_limit ${limit}` },
  );
}

function create(org: Org, type: string, name: string, parent?: string) {
  return h.call("POST", `/v1/organizations/${org.accountId}/groups`, {
    token: org.owner.token,
    body: { type, name, ...(parent ? { parent_group_id: parent } : {}) },
  });
}

async function created(org: Org, type: string, name: string, parent?: string): Promise<string> {
  const res = await create(org, type, name, parent);
  if (res.status !== 201) throw new Error(`${type} ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.group_id;
}

async function projects(org: Org, includeArchived = false): Promise<string[]> {
  const res = await h.call(
    "GET",
    `/v1/organizations/${org.accountId}/groups${includeArchived ? "?include_archived=true" : ""}`,
    { token: org.owner.token },
  );
  return res.body.data
    .filter((g: { group_type: string }) => g.group_type === "project")
    .map((g: { name: string }) => g.name)
    .sort();
}

/** The refusal, as a client keys on it: problem+json, a stable code, the limit and the count. */
function refusal(res: Awaited<ReturnType<typeof create>>) {
  return {
    status: res.status,
    type: res.headers.get("content-type")?.split(";")[0],
    code: res.body.code,
    limit: res.body.limit,
    projects: res.body.projects,
    plan: res.body.plan,
  };
}

it("applies the no-plan limit, lifts it with a trial's plan, follows an interval switch, and falls back when the subscription ends", async () => {
  const org = await h.organization("No Plan Yet");
  expect((await limitBecomes(org, PROJECT_LIMIT_WITHOUT_PLAN)).plan).toBeNull();
  await created(org, "project", "P1");
  expect(refusal(await create(org, "project", "P2"))).toEqual({
    status: 422,
    type: "application/problem+json",
    code: "project_limit_reached",
    limit: 1,
    projects: 1,
    plan: null,
  });
  // Only projects are limited: workspaces and teams still fit.
  const workspace = await created(org, "workspace", "W");
  await created(org, "team", "T", workspace);

  const trial = snapshot("professional", { users: 25, projects: 3 });
  await h.publish("billing", BillingEvent.TrialStarted, `sub_${org.accountId}`, {
    ...subscription(org, "trialing"),
    plan: trial,
    trial_end: Date.now() + 14 * 86_400_000,
    trial_days: 14,
  });
  await limitBecomes(org, 3);
  await created(org, "project", "P2", workspace);
  await created(org, "project", "P3");
  expect(refusal(await create(org, "project", "P4"))).toMatchObject({
    status: 422,
    code: "project_limit_reached",
    limit: 3,
    projects: 3,
    plan: "professional",
  });

  // Monthly → annual keeps the plan's limit (the same projection writes it again).
  await h.publish("billing", BillingEvent.BillingCycleChanged, `sub_${org.accountId}`, {
    ...subscription(org, "trialing"),
    previous_plan: trial,
    plan: snapshot("professional", { users: 25, projects: 3 }, "year"),
    proration_cents: 0,
    previous_mrr_cents: 4900,
  });
  await waitFor(() =>
    h
      .call("GET", `/v1/organizations/${org.accountId}/traits`, { token: org.owner.token })
      .then((r) => (r.body.billing_cycle === "annual" ? r.body : undefined)),
  );
  expect((await limitBecomes(org, 3)).plan).toBe("professional");

  // No plan again: the no-plan limit applies; the three projects stay, a fourth is refused.
  await h.publish("billing", BillingEvent.SubscriptionEnded, `sub_${org.accountId}`, {
    account_id: org.accountId,
    subscription_id: `sub_${org.accountId}`,
    subscription_status: "ended",
    plan: trial,
    previous_mrr_cents: 4900,
    mrr_cents: 0,
    reason: "trial_expired",
  });
  await limitBecomes(org, PROJECT_LIMIT_WITHOUT_PLAN);
  expect(await projects(org)).toEqual(["P1", "P2", "P3"]);
  expect(refusal(await create(org, "project", "P4"))).toMatchObject({
    status: 422,
    code: "project_limit_reached",
    limit: 1,
    projects: 3,
    plan: null,
  });
});

it("counts projects that are not archived: archiving one makes room", async () => {
  const org = await h.organization("Archivist");
  await h.publish("billing", BillingEvent.SubscriptionCreated, `sub_${org.accountId}`, {
    ...subscription(org),
    plan: snapshot("starter", { users: 5, projects: 2 }),
    auto_renew: true,
  });
  await limitBecomes(org, 2);
  const workspace = await created(org, "workspace", "W");
  await created(org, "project", "A", workspace);
  await created(org, "project", "B");
  expect((await create(org, "project", "C")).status).toBe(422);
  // Archiving the workspace archives its project with it.
  const archived = await h.call("POST", `/v1/organizations/${org.accountId}/groups/${workspace}/archive`, {
    token: org.owner.token,
  });
  expect(archived.status).toBe(200);
  await created(org, "project", "C");
  expect(await projects(org)).toEqual(["B", "C"]);
  expect(await projects(org, true)).toEqual(["A", "B", "C"]);
  expect(refusal(await create(org, "project", "D"))).toMatchObject({
    code: "project_limit_reached",
    projects: 2,
  });
});

it("never refuses when unlimited; a downgrade below the count keeps every project and refuses new ones; an upgrade allows again", async () => {
  const org = await h.organization("Grows Then Shrinks");
  // A plan that leaves `projects` out does not limit them, as one without `users` does not limit seats.
  const unnamed = snapshot("custom", { users: 5 });
  await h.publish("billing", BillingEvent.SubscriptionCreated, `sub_${org.accountId}`, {
    ...subscription(org),
    plan: unnamed,
    auto_renew: true,
  });
  await limitBecomes(org, -1);
  const enterprise = snapshot("enterprise", { users: -1, projects: -1 });
  await h.publish(
    "billing",
    BillingEvent.SubscriptionUpgraded,
    `sub_${org.accountId}`,
    change(org, unnamed, enterprise),
  );
  await waitFor(() =>
    h
      .call("GET", `/v1/organizations/${org.accountId}/traits`, { token: org.owner.token })
      .then((r) => (r.body.plan === "enterprise" ? r.body : undefined)),
  );
  expect((await limitBecomes(org, -1)).seat_limit).toBe(-1);
  for (const name of ["E1", "E2", "E3", "E4", "E5"]) await created(org, "project", name);

  const starter = snapshot("starter", { users: 5, projects: 2 });
  await h.publish(
    "billing",
    BillingEvent.SubscriptionDowngraded,
    `sub_${org.accountId}`,
    change(org, enterprise, starter),
  );
  await limitBecomes(org, 2);
  expect(await projects(org)).toEqual(["E1", "E2", "E3", "E4", "E5"]);
  expect(refusal(await create(org, "project", "S1"))).toMatchObject({
    status: 422,
    code: "project_limit_reached",
    limit: 2,
    projects: 5,
    plan: "starter",
  });
  // Renaming and moving what is over the limit still works: only new projects are refused.
  const list = await h.call("GET", `/v1/organizations/${org.accountId}/groups`, { token: org.owner.token });
  const e1 = list.body.data.find((g: { name: string }) => g.name === "E1").group_id;
  expect(
    (
      await h.call("PATCH", `/v1/organizations/${org.accountId}/groups/${e1}`, {
        token: org.owner.token,
        body: { name: "E1 renamed" },
      })
    ).status,
  ).toBe(200);

  const professional = snapshot("professional", { users: 25, projects: 6 });
  await h.publish(
    "billing",
    BillingEvent.SubscriptionUpgraded,
    `sub_${org.accountId}`,
    change(org, starter, professional),
  );
  await limitBecomes(org, 6);
  await created(org, "project", "P6");
  expect(refusal(await create(org, "project", "P7"))).toMatchObject({
    code: "project_limit_reached",
    limit: 6,
  });
});

it("lets exactly one of several concurrent creations at one below the limit through", async () => {
  const org = await h.organization("Racing");
  await h.publish("billing", BillingEvent.SubscriptionCreated, `sub_${org.accountId}`, {
    ...subscription(org),
    plan: snapshot("starter", { users: 5, projects: 3 }),
    auto_renew: true,
  });
  await limitBecomes(org, 3);
  await created(org, "project", "first");
  await created(org, "project", "second");
  const racers = await Promise.all(
    ["r1", "r2", "r3", "r4", "r5", "r6"].map((name) => create(org, "project", name)),
  );
  const statuses = racers.map((r) => r.status).sort();
  expect(statuses).toEqual([201, 422, 422, 422, 422, 422]);
  expect(racers.filter((r) => r.status === 422).map((r) => r.body.code)).toEqual(
    Array(5).fill("project_limit_reached"),
  );
  expect(await projects(org)).toHaveLength(3);
  const rows = await h.service.db.$queryRawUnsafe<{ n: bigint }[]>(
    "SELECT count(*) AS n FROM platform_events WHERE tenant_id = $1 AND event_type LIKE '%GroupCreated' AND payload->>'group_type' = 'project'",
    org.accountId,
  );
  expect(Number(rows[0]?.n)).toBe(3);
});
