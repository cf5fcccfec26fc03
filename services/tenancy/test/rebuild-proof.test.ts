/**
 * The rebuild proof (issue 10, item 3; docs/architecture.md, "The rebuild proof"): after the suite's
 * kinds of scenarios (organizations, members and invitations, groups moved and archived, tickets and
 * their SLA sweeps, domains, a closing, identity's people, keys, roles and directory groups, billing's
 * plans), every inline and async table is emptied and rebuilt from tenancy.events, identity.events
 * and billing.events, and equals the live copy row by row, every tenant's rows (read past row-level
 * security on the administrator's connection). An unclassified table, or one the rebuild does not
 * restore, fails it.
 */
import { randomBytes } from "node:crypto";
import { tenantTableSql } from "@platform/database";
import { privilegedUrlOf, proveRebuild, TableClassificationError } from "@platform/event-sourcing";
import { expectRebuiltEqual, infrastructure, rowsOf, withClient } from "@platform/testkit";
import type { Client } from "pg";
import type { TxtResolver } from "../src/app/dns";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../src/tables";
import { type Harness, startTenancy } from "./support/harness";

const txt = new Map<string, string[][]>();
const dns: TxtResolver = async (name) => {
  const records = txt.get(name);
  if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return records;
};

let h: Harness;
let adminUrl: string;
beforeAll(async () => {
  h = await startTenancy(
    {
      SUCCESS_REP_RULES: JSON.stringify([
        { id: "everyone", priority: 9, match: {}, reps: ["rep_a", "rep_b"] },
      ]),
    },
    { dns },
  );
  adminUrl = privilegedUrlOf(h.db.url, infrastructure().postgresAdminUrl);
  await scenarios();
  await h.service.settled();
}, 180_000);
afterAll(() => h?.close());

const MINUTE = 60_000;

/** Calls as the person, with a token signed now (the scenarios move the clock past a token's life). */
async function ok(method: string, path: string, as: { userId: string; accountId: string }, body?: unknown) {
  const token = await h.token(as.userId, as.accountId, "owner");
  const res = await h.call(method, path, { token, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A little of everything the suite does, through the HTTP API and identity's and billing's topics. */
async function scenarios(): Promise<void> {
  const org = await h.organization("Rebuilt Inc");
  const { accountId, owner } = org;
  const me = { userId: owner.userId, accountId };
  const base = `/v1/organizations/${accountId}`;
  await ok("PATCH", base, me, { industry: "software", settings: { language: "de" } });
  const admin = await h.member(org, "admin");
  const member = await h.member(org, "member");

  // Groups: a tree, renamed, moved and archived with its subtree; members in a team.
  const workspace = await ok("POST", `${base}/groups`, me, { type: "workspace", name: "Product" });
  const project = await ok("POST", `${base}/groups`, me, {
    type: "project",
    name: "Launch",
    parent_group_id: workspace.group_id,
  });
  const team = await ok("POST", `${base}/groups`, me, {
    type: "team",
    name: "Rockets",
    parent_group_id: project.group_id,
  });
  const other = await ok("POST", `${base}/groups`, me, { type: "workspace", name: "Ops" });
  h.clock.advance(MINUTE);
  await ok("PATCH", `${base}/groups/${team.group_id}`, me, { name: "Comets" });
  await ok("POST", `${base}/groups/${project.group_id}/move`, me, { parent_group_id: other.group_id });
  await ok("POST", `${base}/groups/${team.group_id}/members`, me, { user_id: member.userId });
  await ok("POST", `${base}/groups/${workspace.group_id}/archive`, me);

  // Members and invitations.
  await ok("PATCH", `${base}/members/${admin.userId}`, me, { role: "member" });
  const invited = await ok("POST", `${base}/invitations`, me, { email: "later@example.com", role: "member" });
  await ok("POST", `${base}/invitations/${invited.invitation_id}/resend`, me);
  const revoked = await ok("POST", `${base}/invitations`, me, { email: "never@example.com", role: "member" });
  await ok("DELETE", `${base}/invitations/${revoked.invitation_id}`, me);
  await ok("DELETE", `${base}/members/${admin.userId}`, me);

  // Tickets, with SLA sweeps a few hours apart.
  const ticket = await ok("POST", `${base}/tickets`, me, {
    subject: "We were charged twice this month",
    description: "See invoice 42",
  });
  await ok("POST", `${base}/tickets`, me, { subject: "Possible security breach" });
  h.clock.advance(40 * MINUTE);
  await h.service.tickets.sweepSla();
  await ok("PATCH", `${base}/tickets/${ticket.ticket_id}`, me, { priority: "critical" });
  h.clock.advance(5 * 60 * MINUTE);
  await h.service.tickets.sweepSla();

  // A verified domain.
  const domain = `rebuilt-${randomBytes(4).toString("hex")}.example`;
  const added = await ok("POST", `${base}/domains`, me, { domain, auto_join: true });
  txt.set(added.txt_record_name, [[added.txt_record_value]]);
  await ok("POST", `${base}/domains/${added.domain_id}/verify`, me);

  // From identity and billing: a role, a sign-in, a directory group; a plan.
  await h.publish("identity", "platform.identity.RoleDefined", `role:${accountId}:deployer`, {
    account_id: accountId,
    role: "deployer",
    permissions: ["projects.read"],
    description: "deploys",
  });
  await h.publish("identity", "platform.identity.RoleDefined", "role:platform:rebuild_agent", {
    account_id: null,
    role: "rebuild_agent",
    permissions: ["organization.read"],
    description: "reads organizations",
  });
  await h.publish("identity", "platform.identity.UserSignedIn", owner.userId, {
    account_id: accountId,
    user_id: owner.userId,
    session_id: `ses_${randomBytes(4).toString("hex")}`,
    method: "password",
  });
  await h.publish("identity", "platform.identity.DirectoryGroupCreated", `dg_${accountId}`, {
    account_id: accountId,
    directory_group_id: `dg_${accountId}`,
    display_name: "Engineering",
    external_id: null,
    member_user_ids: [member.userId],
  });
  await h.publish("billing", "platform.billing.SubscriptionCreated", `sub_${accountId}`, {
    account_id: accountId,
    subscription_id: `sub_${accountId}`,
    subscription_status: "active",
    current_period_start: h.clock.now().getTime(),
    current_period_end: h.clock.now().getTime() + 30 * 86_400_000,
    mrr_cents: 4900,
    plan: {
      plan_id: "professional",
      name: "Professional",
      interval: "month",
      price_cents: 4900,
      currency: "USD",
      limits: { users: 25, projects: 50 },
      overage_unit_prices: {},
      features: [],
    },
    auto_renew: true,
  });

  // The health score's facts: a payment failure on one aggregate, its invoice paid on another (their
  // partitions may interleave otherwise in the replay), another person's sign-in.
  await h.publish("billing", "platform.billing.PaymentFailed", `pay_${accountId}`, {
    account_id: accountId,
    invoice_id: `inv_${accountId}`,
    payment_id: `pay_${accountId}`,
    amount_cents: 4900,
    currency: "USD",
    attempt: 1,
    failure_code: "card_declined",
    failure_message: null,
    next_retry_at: null,
  });
  await h.publish("billing", "platform.billing.InvoicePaid", `inv_${accountId}`, {
    account_id: accountId,
    invoice_id: `inv_${accountId}`,
    payment_id: `pay2_${accountId}`,
    amount_cents: 4900,
    currency: "USD",
  });
  await h.publish("identity", "platform.identity.UserSignedIn", member.userId, {
    account_id: accountId,
    user_id: member.userId,
    session_id: `ses_${randomBytes(4).toString("hex")}`,
    method: "password",
  });

  // Another organization, closed.
  const closing = await h.organization("Gone Ltd");
  await ok(
    "DELETE",
    `/v1/organizations/${closing.accountId}`,
    { userId: closing.owner.userId, accountId: closing.accountId },
    { reason: "moving on" },
  );
}

const admin = <T>(work: (client: Client) => Promise<T>) => withClient(adminUrl, work);

const count = (table: string) =>
  admin(async (client) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n));

it("rebuilds every inline and async table from the logs, equal to the live copy, a day later", async () => {
  h.clock.advance(86_400_000);
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    unreplayedColumns: UNREPLAYED_COLUMNS,
    rebuild: () => h.service.rebuildAll(),
  });
  expectRebuiltEqual(report);
  expect(rowsOf(report, "groups")).toBeGreaterThanOrEqual(5);
  // The plan's limits came back from billing's topic with the traits (seats and projects alike).
  expect(await count("account_traits WHERE seat_limit = 25 AND project_limit = 50")).toBe(1);
  expect(report.kept.notYetProven).toEqual([...TABLE_CLASSES.notYetProjected]);
});

it("refuses to compare through row-level security, which would hide other tenants' rows", async () => {
  const groups = await count("groups");
  const failure = await proveRebuild({
    databaseUrl: h.db.url,
    classes: TABLE_CLASSES,
    rebuild: () => h.service.rebuildAll(),
  }).catch((error: unknown) => error);
  expect(String(failure)).toContain("row-level security would hide rows of");
  expect(await count("groups")).toBe(groups);
});

it("fails on a tenant table no class names, before it empties anything", async () => {
  const groups = await count("groups");
  await admin(async (client) => {
    await client.query("CREATE TABLE stray_notes (id text PRIMARY KEY, account_id text NOT NULL)");
    await client.query(tenantTableSql("stray_notes"));
  });
  try {
    const failure = await proveRebuild({
      databaseUrl: adminUrl,
      classes: TABLE_CLASSES,
      rebuild: () => h.service.rebuildAll(),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TableClassificationError);
    expect((failure as TableClassificationError).gaps).toEqual([expect.stringContaining("stray_notes")]);
    expect(await count("groups")).toBe(groups);
  } finally {
    await admin((client) => client.query("DROP TABLE stray_notes"));
  }
});

it("fails when the rebuild does not restore a table, naming its missing rows", async () => {
  // A rebuild that forgets the read models: their tables stay empty.
  const people = await count("people");
  expect(people).toBeGreaterThan(0);
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    rebuild: () => h.service.rebuildState(),
  });
  expect(report.equal).toBe(false);
  expect(report.differences.map((d) => d.table)).toEqual([...TABLE_CLASSES.async].sort());
  const missing = report.differences.find((d) => d.table === "people");
  expect([missing?.missing.length, missing?.extra, missing?.changed]).toEqual([people, [], []]);
  await h.service.rebuildAll();
});
