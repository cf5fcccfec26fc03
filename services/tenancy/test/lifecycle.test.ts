/**
 * What tenancy does on its own when events arrive: onboarding ticked by the events that fulfil each
 * item (then organization.onboarded), the lifecycle following billing, the health score with its
 * factors and an alert under 50, success reps by rules with round-robin, and a rebuild of the read
 * models from the topics that equals the live ones.
 */
import { generateSigningKey } from "@platform/auth";
import { BillingEvent, IdentityEvent } from "@platform/contracts";
import { allTenantIds, inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
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
  await h.member({ accountId, owner });
  await api("PATCH", "", { settings: { timezone: "America/New_York" } });
  await api("POST", "/groups", { type: "project", name: "First project" });
  await h.publish(
    "billing",
    BillingEvent.SubscriptionCreated,
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
  await h.publish("billing", BillingEvent.SubscriptionSuspended, `sub_${accountId}`, {
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
  await h.publish("billing", BillingEvent.SubscriptionReactivated, `sub_${accountId}`, {
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

it("activates on a converted trial, follows a switch to annual, and falls back to the no-plan limits when the subscription ends", async () => {
  const { accountId, owner } = await h.organization("Trial Converts");
  const traits = () =>
    h.call("GET", `/v1/organizations/${accountId}/traits`, { token: owner.token }).then((r) => r.body);
  const { plan, ...period } = subscription(accountId, "professional", 25);
  await h.publish("billing", BillingEvent.TrialEnded, `sub_${accountId}`, {
    ...period,
    plan,
    converted: true,
  });
  await waitFor(() =>
    h
      .call("GET", `/v1/organizations/${accountId}`, { token: owner.token })
      .then((r) => r.body.status === "active" || undefined),
  );
  expect(await traits()).toMatchObject({ plan: "professional", seat_limit: 25, billing_cycle: "monthly" });

  await h.publish("billing", BillingEvent.BillingCycleChanged, `sub_${accountId}`, {
    ...period,
    mrr_cents: 16_583,
    previous_plan: plan,
    plan: { ...plan, interval: "year", price_cents: 199_000 },
    proration_cents: 189_050,
    previous_mrr_cents: 19_900,
  });
  await waitFor(() => traits().then((t) => t.billing_cycle === "annual" || undefined));

  await h.publish("billing", BillingEvent.SubscriptionEnded, `sub_${accountId}`, {
    account_id: accountId,
    subscription_id: `sub_${accountId}`,
    subscription_status: "ended",
    plan,
    previous_mrr_cents: 16_583,
    mrr_cents: 0,
    reason: "canceled",
  });
  const ended = await waitFor(() => traits().then((t) => (t.plan === null ? t : undefined)));
  expect(ended).toMatchObject({ plan: null, mrr: 0, billing_cycle: null, seat_limit: 5 });
});

it("scores health from its signals, shows each factor's share, and alerts when it drops under 50", async () => {
  const { accountId } = await h.organization("Health Check");
  await h.publish(
    "billing",
    BillingEvent.SubscriptionCreated,
    `sub_${accountId}`,
    subscription(accountId, "starter", 5),
  );
  const first = await waitFor(() =>
    inTenant(h.service.db, accountId, (tx) => tx.healthScore.findUnique({ where: { accountId } })).then(
      (row) => row ?? undefined,
    ),
  );
  const factors = first.factors as { name: string; contribution: number }[];
  expect(factors.map((f) => f.name).sort()).toEqual(["billing", "engagement", "support", "usage"]);
  expect(factors.reduce((sum, f) => sum + f.contribution, 0)).toBe(first.score);

  // Repeated payment failures and an overdue subscription drag the score down.
  for (let i = 0; i < 3; i++)
    await h.publish("billing", BillingEvent.PaymentFailed, `pay_${accountId}_${i}`, {
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
  await h.publish("billing", BillingEvent.SubscriptionSuspended, `sub_${accountId}`, {
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
    tx.healthScore.findUniqueOrThrow({ where: { accountId } }),
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
  const organization = await h.organization("Rebuild Me");
  const { accountId } = organization;
  await h.member(organization);
  await h.publish(
    "billing",
    BillingEvent.SubscriptionCreated,
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

it("a replay at a later time writes the same rows: a retired key keeps the time of its event", async () => {
  const key = await generateSigningKey();
  const retiredAt = h.clock.now().getTime() - 5_000;
  await h.publish("identity", IdentityEvent.SigningKeyPublished, `signing_key:${key.kid}`, {
    key_id: key.kid,
    algorithm: "EdDSA",
    public_key_jwk: JSON.stringify(key.publicJwk),
    not_before: retiredAt - 60_000,
  });
  await h.publish("identity", IdentityEvent.SigningKeyRetired, `signing_key:${key.kid}`, {
    key_id: key.kid,
    occurred_at: retiredAt,
  });
  const row = () => h.service.db.trustedKey.findUnique({ where: { kid: key.kid } });
  const live = await waitFor(async () => ((await row())?.retiredAt ? row() : undefined), {
    what: "the key to be retired",
  });
  expect(live?.retiredAt).toEqual(new Date(retiredAt));

  // The replay runs later than the live apply did; only a handler reading the wall clock would notice.
  await h.service.rebuildReadModels();
  await waitFor(async () => ((await h.service.readModelLag()) === 0 ? true : undefined), {
    timeoutMs: 30_000,
    what: "the rebuild to catch up",
  });
  expect(await row()).toEqual(live);
});

it("turns the directory's groups into teams, following renames, members and deletion", async () => {
  const organization = await h.organization("Directory Co");
  const { accountId, owner } = organization;
  const [first, second] = [await h.member(organization), await h.member(organization)];
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
    IdentityEvent.DirectoryGroupCreated,
    "dg_42",
    group([first.userId, stranger.userId], "Engineering"),
  );
  // Only people of the organization join its teams.
  expect(
    await waitFor(async () => ((await teamMembers())?.length === 1 ? teamMembers() : undefined)),
  ).toEqual([first.userId]);
  await h.publish(
    "identity",
    IdentityEvent.DirectoryGroupUpdated,
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
  await h.publish("identity", IdentityEvent.DirectoryGroupDeleted, "dg_42", {
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

it("makes the people a directory provisions members who hold seats, puts them in its teams whatever the order, and lets them go with the directory", async () => {
  const { accountId, owner } = await h.organization("Provisioned Co");
  const scimActor = { type: "scim", id: "scimtok_9", ip_address: null, user_agent: null };
  const provisioned = (userId: string) =>
    h.publish("identity", IdentityEvent.UserProvisioned, userId, {
      account_id: accountId,
      user_id: userId,
      email: `${userId}@provisioned.test`,
      given_name: "Pat",
      family_name: "Provisioned",
      display_name: null,
      source: "scim",
      external_id: null,
      connection_id: "scimtok_9",
      role: "member",
      created: true,
      actor: scimActor,
    });
  const ids = ["usr_prov_a", "usr_prov_b", "usr_prov_c"].map((id) => `${id}_${Date.now()}`);
  const [first, second, third] = ids as [string, string, string];
  await provisioned(first);
  await provisioned(second);
  // The group names a person whose provisioning tenancy has not seen yet (another partition).
  await h.publish("identity", IdentityEvent.DirectoryGroupCreated, "dg_prov", {
    account_id: accountId,
    directory_group_id: "dg_prov",
    display_name: "Field",
    external_id: null,
    member_user_ids: [first, third],
    actor: scimActor,
  });
  await waitFor(
    async () =>
      (await h.call("GET", `/v1/organizations/${accountId}/groups/grp_dir_dg_prov`, { token: owner.token }))
        .status === 200 || undefined,
    { what: "the directory team" },
  );
  await provisioned(third);

  const memberIds = async (path: string) =>
    (await h.call("GET", `/v1/organizations/${accountId}${path}`, { token: owner.token })).body?.data?.map(
      (m: { user_id: string; source: string }) => `${m.user_id}:${m.source}`,
    );
  await waitFor(async () => ((await memberIds("/members"))?.length === 4 ? true : undefined), {
    what: "three provisioned members",
  });
  expect((await memberIds("/members")).sort()).toEqual(
    [`${owner.userId}:owner`, ...ids.map((id) => `${id}:scim`)].sort(),
  );
  await waitFor(
    async () => ((await memberIds("/groups/grp_dir_dg_prov/members"))?.length === 2 ? true : undefined),
    {
      what: "the team to hold its two members",
    },
  );
  expect((await memberIds("/groups/grp_dir_dg_prov/members")).sort()).toEqual(
    [`${first}:scim`, `${third}:scim`].sort(),
  );
  const traits = await waitFor(async () => {
    const res = await h.call("GET", `/v1/organizations/${accountId}/traits`, { token: owner.token });
    return res.body.number_of_users === 4 ? res.body : undefined;
  });
  expect(traits.number_of_users).toBe(4);
  // They hold seats: with the default limit of 5, one invitation fills the organization.
  expect(
    (
      await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
        token: owner.token,
        body: { email: "fifth@example.com", role: "member" },
      })
    ).status,
  ).toBe(201);
  const full = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
    token: owner.token,
    body: { email: "sixth@example.com", role: "member" },
  });
  expect([full.status, full.body.code]).toEqual([422, "seat_limit_reached"]);

  await h.publish("identity", IdentityEvent.UserRemoved, first, {
    account_id: accountId,
    user_id: first,
    source: "scim",
    actor: scimActor,
  });
  await waitFor(async () => ((await memberIds("/members"))?.length === 3 ? true : undefined), {
    what: "the removed person to leave",
  });
  expect(await memberIds("/groups/grp_dir_dg_prov/members")).toEqual([`${third}:scim`]);
  expect(await typesOf(`${accountId}:${first}`)).toEqual(["MemberAdded", "MemberRemoved"]);
});
