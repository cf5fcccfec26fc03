/**
 * What tenancy does on its own when events arrive: onboarding ticked by the events that fulfil each
 * item (then organization.onboarded), the lifecycle following billing, the health score with its
 * factors and an alert under 50, success reps by rules with round-robin, and a rebuild of the read
 * models from the topics that equals the live ones.
 */
import { waitFor } from "@platform/testkit";
import { allTenantIds, inTenant } from "../src/app/tenant";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy({
    SUCCESS_REP_RULES: JSON.stringify([
      { id: "enterprise", priority: 1, match: { minEmployees: 1000 }, reps: ["rep_ent"] },
      { id: "everyone", priority: 9, match: {}, reps: ["rep_a", "rep_b"] },
    ]),
  });
});
afterAll(() => h.close());

async function typesOf(aggregateId: string): Promise<string[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ event_type: string }[]>(
    "SELECT event_type FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    aggregateId,
  );
  return rows.map((r) => r.event_type.replace("platform.tenancy.", ""));
}

const subscription = (accountId: string, planId: string, users: number) => ({
  account_id: accountId,
  subscription_id: `sub_${accountId}`,
  subscription_status: "active",
  current_period_start: Date.now(),
  current_period_end: Date.now() + 30 * 86_400_000,
  mrr_cents: 19900,
  plan: {
    plan_id: planId,
    name: planId,
    interval: "month",
    price_cents: 19900,
    currency: "USD",
    limits: { users },
    overage_unit_prices: {},
    features: [],
  },
  auto_renew: true,
});

it("ticks onboarding items from the events that fulfil them, and emits organization.onboarded at 100 %", async () => {
  const { accountId, owner } = await h.organization("Onboarding Inc");
  const api = (method: string, path: string, body?: unknown) =>
    h.call(method, `/v1/organizations/${accountId}${path}`, { token: owner.token, body });
  const teammate = await h.person();
  await api("POST", "/members", { user_id: teammate.userId, role: "member" });
  await api("PATCH", "", { settings: { timezone: "America/New_York" } });
  await api("POST", "/groups", { type: "project", name: "First project" });
  await h.publish(
    "billing",
    "platform.billing.SubscriptionCreated",
    `sub_${accountId}`,
    subscription(accountId, "professional", 25),
  );
  const org = await waitFor(
    async () => {
      const res = await api("GET", "");
      return res.body.status === "active" && res.body.onboarding.complete ? res.body : undefined;
    },
    { what: "onboarding to complete" },
  );
  expect(org.onboarding.progressPercent).toBe(100);
  const types = await typesOf(accountId);
  expect(types.filter((t) => t === "OnboardingItemCompleted")).toHaveLength(5);
  expect(types).toEqual(expect.arrayContaining(["OrganizationOnboarded", "OrganizationActivated"]));
});

it("suspends the organization when billing suspends the subscription, and reactivates it", async () => {
  const { accountId, owner } = await h.organization("Late Payer");
  await h.publish("billing", "platform.billing.SubscriptionSuspended", `sub_${accountId}`, {
    account_id: accountId,
    subscription_id: `sub_${accountId}`,
    subscription_status: "suspended",
    current_period_start: Date.now(),
    current_period_end: Date.now(),
    mrr_cents: 0,
    reason: "payment_overdue",
    invoice_id: "inv_1",
  });
  await waitFor(() =>
    h
      .call("GET", `/v1/organizations/${accountId}`, { token: owner.token })
      .then((r) => r.body.status === "suspended" || undefined),
  );
  await h.publish("billing", "platform.billing.SubscriptionReactivated", `sub_${accountId}`, {
    account_id: accountId,
    subscription_id: `sub_${accountId}`,
    subscription_status: "active",
    current_period_start: Date.now(),
    current_period_end: Date.now(),
    mrr_cents: 4900,
  });
  await waitFor(() =>
    h
      .call("GET", `/v1/organizations/${accountId}`, { token: owner.token })
      .then((r) => r.body.status === "active" || undefined),
  );
  expect(await typesOf(accountId)).toEqual(
    expect.arrayContaining(["OrganizationSuspended", "OrganizationReactivated"]),
  );
});

it("scores health from its signals, shows each factor's share, and alerts when it drops under 50", async () => {
  const { accountId } = await h.organization("Health Check");
  await h.publish(
    "billing",
    "platform.billing.SubscriptionCreated",
    `sub_${accountId}`,
    subscription(accountId, "starter", 5),
  );
  const first = await waitFor(() =>
    inTenant(h.service.db, accountId, (tx) => tx.healthSignals.findUnique({ where: { accountId } })).then(
      (row) => (row?.score != null ? row : undefined),
    ),
  );
  const factors = first.factors as { name: string; contribution: number }[];
  expect(factors.map((f) => f.name).sort()).toEqual(["billing", "engagement", "support", "usage"]);
  expect(factors.reduce((sum, f) => sum + f.contribution, 0)).toBe(first.score);

  // Repeated payment failures and an overdue subscription drag the score down.
  for (let i = 0; i < 3; i++)
    await h.publish("billing", "platform.billing.PaymentFailed", `pay_${accountId}_${i}`, {
      account_id: accountId,
      invoice_id: "inv_1",
      payment_id: `pay_${i}`,
      amount_cents: 4900,
      currency: "USD",
      attempt: i + 1,
      failure_code: "card_declined",
      failure_message: null,
      next_retry_at: null,
    });
  await h.publish("billing", "platform.billing.SubscriptionSuspended", `sub_${accountId}`, {
    account_id: accountId,
    subscription_id: `sub_${accountId}`,
    subscription_status: "suspended",
    current_period_start: Date.now(),
    current_period_end: Date.now(),
    mrr_cents: 0,
    reason: "payment_overdue",
    invoice_id: "inv_1",
  });
  await waitFor(
    async () => (await typesOf(`health:${accountId}`)).includes("HealthScoreDropped") || undefined,
    {
      what: "a HealthScoreDropped event",
    },
  );
  const row = await inTenant(h.service.db, accountId, (tx) =>
    tx.healthSignals.findUniqueOrThrow({ where: { accountId } }),
  );
  expect(row.score).toBeLessThan(50);
});

it("assigns success reps by rule, round-robin within the rule", async () => {
  const reps: string[] = [];
  for (const name of ["One", "Two", "Three"]) {
    const { accountId } = await h.organization(name);
    const rep = await waitFor(() =>
      inTenant(h.service.db, accountId, (tx) => tx.repAssignment.findUnique({ where: { accountId } })).then(
        (r) => r ?? undefined,
      ),
    );
    expect(rep.ruleId).toBe("everyone");
    reps.push(rep.repId);
  }
  // Earlier organizations moved the rule's cursor already: what matters is that it alternates.
  expect(reps[0]).not.toBe(reps[1]);
  expect(reps[2]).toBe(reps[0]);
  expect(new Set(reps)).toEqual(new Set(["rep_a", "rep_b"]));
  const big = await h.organization("Big");
  await h.call("PATCH", `/v1/organizations/${big.accountId}`, {
    token: big.owner.token,
    body: { number_of_employees: 5000 },
  });
  const rep = await waitFor(() =>
    inTenant(h.service.db, big.accountId, (tx) =>
      tx.repAssignment.findUnique({ where: { accountId: big.accountId } }),
    ).then((r) => (r?.ruleId === "enterprise" ? r : undefined)),
  );
  expect(rep.repId).toBe("rep_ent");
  expect(await typesOf(`rep:${big.accountId}`)).toContain("SuccessRepAssigned");
});

/** Deep equality of rows that hold BigInt columns (JSON cannot write them). */
const same = (a: unknown, b: unknown) =>
  JSON.stringify(a, (_key, value) => (typeof value === "bigint" ? value.toString() : value)) ===
  JSON.stringify(b, (_key, value) => (typeof value === "bigint" ? value.toString() : value));

it("rebuilds the read models from the topics to exactly the live ones", async () => {
  const { accountId, owner } = await h.organization("Rebuild Me");
  const member = await h.person();
  await h.call("POST", `/v1/organizations/${accountId}/members`, {
    token: owner.token,
    body: { user_id: member.userId },
  });
  await h.publish(
    "billing",
    "platform.billing.SubscriptionCreated",
    `sub_${accountId}`,
    subscription(accountId, "enterprise", -1),
  );
  const traitsOf = async () =>
    Promise.all(
      (await allTenantIds(h.service.db)).map((id) =>
        inTenant(h.service.db, id, (tx) => tx.accountTraits.findUnique({ where: { accountId: id } })),
      ),
    );
  await waitFor(
    async () => {
      const traits = await inTenant(h.service.db, accountId, (tx) =>
        tx.accountTraits.findUnique({ where: { accountId } }),
      );
      // Including the activation tenancy itself derives from the subscription (a second hop).
      return traits?.plan === "enterprise" && traits.numberOfUsers === 2 && traits.status === "active"
        ? true
        : undefined;
    },
    { what: "the traits to settle" },
  );
  // Everything published so far applied, so "live" is settled (earlier tests' events included).
  await waitFor(async () => ((await h.service.readModelLag()) === 0 ? true : undefined), {
    what: "the read models to catch up",
  });
  const live = {
    traits: await traitsOf(),
    people: await h.service.db.person.findMany({ orderBy: { userId: "asc" } }),
  };
  await h.service.rebuildReadModels();
  let rebuilt: typeof live | undefined;
  await waitFor(
    async () => {
      rebuilt = {
        traits: await traitsOf(),
        people: await h.service.db.person.findMany({ orderBy: { userId: "asc" } }),
      };
      return same(rebuilt, live) || undefined;
    },
    { timeoutMs: 30_000, what: "the rebuild to catch up" },
  ).catch(() => undefined);
  expect(rebuilt).toEqual(live);
});

it("turns the directory's groups into teams, following renames, members and deletion", async () => {
  const { accountId, owner } = await h.organization("Directory Co");
  const [first, second] = [await h.person(), await h.person()];
  for (const person of [first, second])
    await h.call("POST", `/v1/organizations/${accountId}/members`, {
      token: owner.token,
      body: { user_id: person.userId },
    });
  const stranger = await h.person();
  const group = (members: string[], name: string) => ({
    account_id: accountId,
    directory_group_id: "dg_42",
    display_name: name,
    external_id: null,
    member_user_ids: members,
    actor: { type: "scim", id: "scimtok_1", ip_address: null, user_agent: null },
  });
  const teamMembers = async () =>
    (
      await h.call("GET", `/v1/organizations/${accountId}/groups/grp_dir_dg_42/members`, {
        token: owner.token,
      })
    ).body?.data?.map((m: { user_id: string }) => m.user_id);
  await h.publish(
    "identity",
    "platform.identity.DirectoryGroupCreated",
    "dg_42",
    group([first.userId, stranger.userId], "Engineering"),
  );
  // Only people of the organization join its teams.
  expect(
    await waitFor(async () => ((await teamMembers())?.length === 1 ? teamMembers() : undefined)),
  ).toEqual([first.userId]);
  await h.publish(
    "identity",
    "platform.identity.DirectoryGroupUpdated",
    "dg_42",
    group([second.userId], "Platform Engineering"),
  );
  await waitFor(
    async () => {
      const team = await h.call("GET", `/v1/organizations/${accountId}/groups/grp_dir_dg_42`, {
        token: owner.token,
      });
      const ids = await teamMembers();
      return team.body.name === "Platform Engineering" && ids?.length === 1 && ids[0] === second.userId
        ? true
        : undefined;
    },
    { what: "the team to follow the directory" },
  );
  await h.publish("identity", "platform.identity.DirectoryGroupDeleted", "dg_42", {
    account_id: accountId,
    directory_group_id: "dg_42",
    actor: { type: "scim", id: "scimtok_1", ip_address: null, user_agent: null },
  });
  await waitFor(
    async () => {
      const team = await h.call("GET", `/v1/organizations/${accountId}/groups/grp_dir_dg_42`, {
        token: owner.token,
      });
      return team.body.archived_at ? true : undefined;
    },
    { what: "the team to be archived" },
  );
  expect(await typesOf("grp_dir_dg_42")).toEqual(["GroupCreated", "GroupRenamed", "GroupArchived"]);
});
