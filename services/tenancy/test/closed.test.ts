/**
 * Closed is final (docs/tenancy.md, Lifecycle): closing takes the owner's permission; afterwards every
 * write route of tenancy's own route table answers 409 organization_closed and changes nothing, reads
 * still answer, and events that arrive later (an invitation accepted, a directory group, billing, a
 * sign-in) and the SLA sweep write nothing into the organization.
 */

import { randomBytes } from "node:crypto";
import { BillingEvent, IdentityEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { routeTableOf } from "@platform/http";
import { waitFor } from "@platform/testkit";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h.close());

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Write routes that do not act on an existing organization, and why; every other one must answer 409. */
const NOT_ABOUT_AN_ORGANIZATION: Record<string, string> = {
  "POST /v1/organizations": "creates a new organization",
};

/** An organization with something behind every path parameter, then closed by its owner. */
async function closedOrganization() {
  const { accountId, owner } = await h.organization(`Closing ${randomBytes(3).toString("hex")}`);
  const call = (method: string, path: string, body?: unknown) =>
    h.call(method, `/v1/organizations/${accountId}${path}`, { token: owner.token, body });
  const group = (await call("POST", "/groups", { type: "team", name: "Team" })).body;
  const teammate = await h.person({ verified: true });
  const joining = (await call("POST", "/invitations", { email: teammate.email, role: "member" })).body;
  await acceptInvitation(accountId, joining.invitation_id, teammate);
  const later = await h.person({ verified: true });
  const pending = (await call("POST", "/invitations", { email: later.email, role: "member" })).body;
  const ticket = (await call("POST", "/tickets", { subject: "We are leaving" })).body;
  const domain = (await call("POST", "/domains", { domain: `closing-${randomBytes(4).toString("hex")}.com` }))
    .body;
  if (!group.group_id || !pending.invitation_id || !ticket.ticket_id || !domain.domain_id)
    throw new Error(`setup failed: ${JSON.stringify({ group, pending, ticket, domain })}`);
  await waitFor(() => membershipOf(accountId, teammate.userId), { what: "the teammate to join" });

  const closed = await call("DELETE", "", { reason: "moving on" });
  expect(closed).toMatchObject({ status: 200, body: { status: "closed" } });
  await processesCaughtUp();
  return {
    accountId,
    owner,
    later,
    params: {
      accountId,
      groupId: group.group_id as string,
      userId: teammate.userId,
      invitationId: pending.invitation_id as string,
      ticketId: ticket.ticket_id as string,
      domainId: domain.domain_id as string,
    } as Record<string, string>,
  };
}

/** identity's answer to a link followed: the person joined through the invitation. */
async function acceptInvitation(
  accountId: string,
  invitationId: string,
  person: { userId: string; email: string },
) {
  await h.publish("identity", IdentityEvent.UserJoined, person.userId, {
    account_id: accountId,
    user_id: person.userId,
    email: person.email,
    invitation_id: invitationId,
    role: "member",
    group_id: null,
  });
}

function membershipOf(accountId: string, userId: string) {
  return inTenant(h.service.db, accountId, (tx) =>
    tx.membership.findUnique({ where: { groupId_userId: { groupId: accountId, userId } } }),
  ).then((m) => m ?? undefined);
}

/** Waits until tenancy's processes have handled everything on their topics so far. */
async function processesCaughtUp(): Promise<void> {
  const group = `${h.service.config.READ_MODEL_GROUP}.processes`;
  const admin = h.service.kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const stored = await h.service.db.platformConsumerOffset.findMany({
          where: { consumerGroup: group },
        });
        for (const topic of Object.values(h.topics))
          for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
            const applied = stored.find((s) => s.topic === topic && s.partition === partition);
            if (Number(high) > Number(applied?.nextOffset ?? 0)) return false;
          }
        return true;
      },
      { what: "tenancy's processes to catch up" },
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Everything of the organization a write could change: its rows, its events, the e-mails queued. The
 * read models of other services' topics (account traits, health facts, directory rosters) are not in
 * it: they keep following identity and billing after a closing; only tenancy's own state is final.
 */
async function snapshot(accountId: string) {
  const rows = await inTenant(h.service.db, accountId, async (tx) => ({
    organization: await tx.organization.findUnique({ where: { accountId } }),
    groups: await tx.group.findMany({ orderBy: { id: "asc" } }),
    memberships: await tx.membership.findMany({ orderBy: [{ groupId: "asc" }, { userId: "asc" }] }),
    invitations: await tx.invitation.findMany({ orderBy: { id: "asc" } }),
    tickets: await tx.ticket.findMany({ orderBy: { id: "asc" } }),
    domains: await tx.domain.findMany({ orderBy: { id: "asc" } }),
    healthScores: await tx.healthScore.findMany(),
    reps: await tx.repAssignment.findMany(),
  }));
  const events = await h.service.db.$queryRawUnsafe<{ event_type: string }[]>(
    "SELECT event_type FROM platform_events WHERE tenant_id = $1 ORDER BY position",
    accountId,
  );
  const emails = await h.service.db.outboundEmail.count();
  return { rows, events: events.map((e) => e.event_type), emails };
}

/** A body each route would accept were the organization open, so a 409 is the closing's doing. */
function bodyFor(route: string, p: Record<string, string>): unknown {
  const bodies: Record<string, unknown> = {
    "PATCH /v1/organizations/:accountId": { name: "Reopened" },
    "POST /v1/organizations/:accountId/groups": { type: "project", name: "After closing" },
    "PATCH /v1/organizations/:accountId/groups/:groupId": { name: "Renamed" },
    "POST /v1/organizations/:accountId/groups/:groupId/move": { parent_group_id: p.accountId },
    "POST /v1/organizations/:accountId/members": { user_id: p.userId, role: "member" },
    "PATCH /v1/organizations/:accountId/members/:userId": { role: "admin" },
    "POST /v1/organizations/:accountId/groups/:groupId/members": { user_id: p.userId },
    "PATCH /v1/organizations/:accountId/groups/:groupId/members/:userId": { role: "admin" },
    "POST /v1/organizations/:accountId/invitations": { email: "late@example.com", role: "member" },
    "POST /v1/organizations/:accountId/tickets": { subject: "Still there?" },
    "PATCH /v1/organizations/:accountId/tickets/:ticketId": { status: "solved" },
    "POST /v1/organizations/:accountId/domains": { domain: "after-closing.com" },
    "PATCH /v1/organizations/:accountId/domains/:domainId": { auto_join: true },
  };
  return bodies[route] ?? {};
}

describe("closing an organization", () => {
  it("takes the owner: an admin gets 403 permission_denied and the organization stays open", async () => {
    const { accountId, owner } = await h.organization("Admin Tries");
    const admin = await h.person({ verified: true });
    const adminToken = await h.token(admin.userId, accountId, "admin");

    const refused = await h.call("DELETE", `/v1/organizations/${accountId}`, { token: adminToken });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "permission_denied", required: "organization.delete" });
    // An admin still changes the profile; only closing is the owner's.
    const renamed = await h.call("PATCH", `/v1/organizations/${accountId}`, {
      token: adminToken,
      body: { name: "Renamed by admin" },
    });
    expect(renamed.status).toBe(200);
    const open = await h.call("GET", `/v1/organizations/${accountId}`, { token: owner.token });
    expect(open.body.status).not.toBe("closed");

    const closed = await h.call("DELETE", `/v1/organizations/${accountId}`, { token: owner.token });
    expect(closed).toMatchObject({ status: 200, body: { status: "closed" } });
  });
});

describe("closing while a write is under way", () => {
  it("waits for the write to commit, so no change lands after the closing", async () => {
    const { accountId, owner } = await h.organization("Racing");
    const actor = { type: "user", id: owner.userId, ip_address: null, user_agent: null };
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let recorded = () => {};
    const inFlight = new Promise<void>((resolve) => {
      recorded = resolve;
    });
    const write = inTenant(h.service.db, accountId, async (tx) => {
      await h.service.groups.createWithin(tx, accountId, { type: "team", name: "Late" }, actor);
      recorded();
      await held;
    });
    await inFlight;

    let closedAt = 0;
    const closing = h.call("DELETE", `/v1/organizations/${accountId}`, { token: owner.token }).then((res) => {
      closedAt = Date.now();
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const releasedAt = Date.now();
    release();
    await write;
    expect((await closing).status).toBe(200);
    expect(closedAt).toBeGreaterThanOrEqual(releasedAt);
  });
});

describe("a closed organization", () => {
  let org: Awaited<ReturnType<typeof closedOrganization>>;
  beforeAll(async () => {
    org = await closedOrganization();
  });

  it("answers every write route of the route table with 409 organization_closed, changing nothing", async () => {
    const writes = routeTableOf(h.app).filter((route) => WRITES.has(route.method));
    expect(writes.length).toBeGreaterThan(15);
    const before = await snapshot(org.accountId);

    const answers: Record<string, unknown> = {};
    const unclassified: string[] = [];
    for (const { method, path } of writes) {
      const route = `${method} ${path}`;
      if (!path.includes(":accountId")) {
        if (!(route in NOT_ABOUT_AN_ORGANIZATION)) unclassified.push(route);
        continue;
      }
      const url = path.replace(/:(\w+)/g, (_, name: string) => {
        const value = org.params[name];
        if (!value) throw new Error(`no value for :${name} in ${route}; add one to closedOrganization()`);
        return value;
      });
      const res = await h.call(method, url, { token: org.owner.token, body: bodyFor(route, org.params) });
      answers[route] = { status: res.status, code: res.body?.code };
    }

    // A new write route outside an organization's path must say here why closing does not concern it.
    expect(unclassified).toEqual([]);
    for (const route of Object.keys(answers))
      expect({ route, ...(answers[route] as object) }).toEqual({
        route,
        status: 409,
        code: "organization_closed",
      });
    await processesCaughtUp();
    expect(await snapshot(org.accountId)).toEqual(before);
  });

  it("still answers reads: the organization, its members and its tickets", async () => {
    const base = `/v1/organizations/${org.accountId}`;
    const read = await h.call("GET", base, { token: org.owner.token });
    expect(read).toMatchObject({ status: 200, body: { status: "closed" } });
    expect((await h.call("GET", `${base}/members`, { token: org.owner.token })).status).toBe(200);
    expect((await h.call("GET", `${base}/tickets`, { token: org.owner.token })).status).toBe(200);
  });

  it("writes nothing for events that arrive after the closing", async () => {
    const before = await snapshot(org.accountId);

    // The pending invitation's link is followed at identity (which had not heard of the closing yet).
    await acceptInvitation(org.accountId, org.params.invitationId as string, org.later);
    // The directory pushes a group with the teammate in it.
    await h.publish("identity", IdentityEvent.DirectoryGroupCreated, `dg_${org.accountId}`, {
      account_id: org.accountId,
      directory_group_id: `dg_${randomBytes(4).toString("hex")}`,
      display_name: "Engineering",
      external_id: null,
      member_user_ids: [org.params.userId],
    });
    // Billing starts a trial (an onboarding item) and a member signs in (a health signal).
    await h.publish("billing", BillingEvent.TrialStarted, `sub_${org.accountId}`, {
      account_id: org.accountId,
      subscription_id: `sub_${org.accountId}`,
      subscription_status: "trialing",
      current_period_start: Date.now(),
      current_period_end: Date.now() + 14 * 86_400_000,
      mrr_cents: 0,
      plan: {
        plan_id: "professional",
        name: "professional",
        interval: "month",
        price_cents: 19900,
        currency: "USD",
        limits: { users: 25 },
        overage_unit_prices: {},
        features: [],
      },
      trial_end: Date.now() + 14 * 86_400_000,
      trial_days: 14,
    });
    await h.publish("identity", IdentityEvent.UserSignedIn, org.owner.userId, {
      account_id: org.accountId,
      user_id: org.owner.userId,
      session_id: `ses_${randomBytes(4).toString("hex")}`,
      method: "password",
    });
    await processesCaughtUp();

    expect(await snapshot(org.accountId)).toEqual(before);
    expect(await membershipOf(org.accountId, org.later.userId)).toBeUndefined();
  });

  it("raises no SLA alert on its open tickets", async () => {
    const before = await snapshot(org.accountId);
    const raised = await h.service.tickets.sweepSla(new Date(h.clock.now().getTime() + 30 * 86_400_000));
    expect(raised).toBe(0);
    expect(await snapshot(org.accountId)).toEqual(before);
  });
});
