/**
 * Organizations, groups at every level, memberships and invitations, against real Postgres (row-level
 * security in force), Kafka and the registry, with bad input refused and nothing half-written.
 */
import { BillingEvent, IdentityEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h.close());

async function events(aggregateId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ event_type: string; payload: Record<string, unknown> }[]>(
    "SELECT event_type, payload FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    aggregateId,
  );
  return rows.map((r) => ({ type: r.event_type.replace("platform.tenancy.", ""), payload: r.payload }));
}

describe("organizations", () => {
  it("creates an organization with seed 001's fields, its owner and onboarding checklist (account.created)", async () => {
    const owner = await h.person({ verified: true });
    const res = await h.call("POST", "/v1/organizations", {
      token: await h.token(owner.userId),
      body: {
        name: "Acme Corp",
        description: "Rockets",
        url: "https://acme.example",
        email: "hello@acme.example",
        telephone: "+1 555 0100",
        number_of_employees: 120,
        founding_date: "1999-04-01",
        industry: "aerospace",
        address: { street_address: "1 Road", locality: "Springfield", country: "US" },
        settings: { timezone: "Europe/Berlin", currency: "EUR" },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "Acme Corp",
      status: "created",
      founding_date: "1999-04-01",
      settings: { timezone: "Europe/Berlin", currency: "EUR", date_format: "YYYY-MM-DD", language: "en" },
    });
    const accountId = res.body.account_id;
    expect((await events(accountId)).map((e) => e.type)).toEqual([
      "OrganizationCreated",
      "OnboardingStarted",
    ]);
    expect((await events(`${accountId}:${owner.userId}`))[0]).toMatchObject({
      type: "MemberAdded",
      payload: { role: "owner", source: "owner", group_type: "account", group_id: accountId },
    });
  });

  it.each([
    ["no name", {}],
    ["an unknown time zone", { name: "X", settings: { timezone: "Mars/Olympus" } }],
    ["a malformed e-mail", { name: "X", email: "not-an-email" }],
    ["a negative headcount", { name: "X", number_of_employees: -3 }],
    ["a bad country code", { name: "X", address: { country: "USA" } }],
  ])("refuses %s with a problem+json and writes nothing", async (_case, body) => {
    const owner = await h.person();
    // Only what this request could have written: other tests' organizations keep appending in the
    // background (onboarding, health), so a count of every event would race with them.
    const written = () =>
      h.service.db.$queryRawUnsafe<{ n: bigint }[]>(
        "SELECT count(*) AS n FROM platform_events WHERE event_type = 'platform.tenancy.OrganizationCreated' OR payload->>'user_id' = $1",
        owner.userId,
      );
    const before = await written();
    const res = await h.call("POST", "/v1/organizations", { token: await h.token(owner.userId), body });
    expect([res.status, res.body.code]).toEqual([400, "invalid_request_body"]);
    expect((await written())[0]?.n).toBe(before[0]?.n);
  });

  it("updates the profile and says which fields changed; closing ends changes", async () => {
    const { accountId, owner } = await h.organization();
    const res = await h.call("PATCH", `/v1/organizations/${accountId}`, {
      token: owner.token,
      body: { industry: "software", settings: { language: "de" } },
    });
    expect([res.status, res.body.industry, res.body.settings.language]).toEqual([200, "software", "de"]);
    const updated = (await events(accountId)).find((e) => e.type === "OrganizationUpdated");
    expect(updated?.payload.changed_fields).toEqual(["industry", "settings.language"]);
    const closed = await h.call("DELETE", `/v1/organizations/${accountId}`, {
      token: owner.token,
      body: { reason: "moving on" },
    });
    expect([closed.status, closed.body.status]).toEqual([200, "closed"]);
    const after = await h.call("PATCH", `/v1/organizations/${accountId}`, {
      token: owner.token,
      body: { name: "Zombie" },
    });
    expect([after.status, after.body.code]).toEqual([409, "organization_closed"]);
  });

  it("answers 404 for an unknown organization even with a token for it", async () => {
    const person = await h.person();
    const res = await h.call("GET", "/v1/organizations/org_nope", {
      token: await h.token(person.userId, "org_nope", "owner"),
    });
    expect([res.status, res.body.code]).toEqual([404, "organization_not_found"]);
  });
});

describe("groups at every level", () => {
  it("nests workspaces, projects and teams with their ancestry, and refuses cycles", async () => {
    const { accountId, owner } = await h.organization();
    const create = async (type: string, name: string, parent?: string) =>
      h.call("POST", `/v1/organizations/${accountId}/groups`, {
        token: owner.token,
        body: { type, name, parent_group_id: parent },
      });
    const workspace = (await create("workspace", "Engineering")).body;
    const project = (await create("project", "Apollo", workspace.group_id)).body;
    const team = (await create("team", "Rocket team", project.group_id)).body;
    expect(workspace.ancestor_group_ids).toEqual([accountId]);
    expect(team.ancestor_group_ids).toEqual([accountId, workspace.group_id, project.group_id]);

    const created = await events(team.group_id);
    expect(created[0]).toMatchObject({
      type: "GroupCreated",
      payload: { group_type: "team", parent_group_id: project.group_id },
    });

    // Moving the workspace under its own team would close a loop.
    const loop = await h.call("POST", `/v1/organizations/${accountId}/groups/${workspace.group_id}/move`, {
      token: owner.token,
      body: { parent_group_id: team.group_id },
    });
    expect([loop.status, loop.body.code]).toEqual([400, "group_cycle"]);
    const self = await h.call("POST", `/v1/organizations/${accountId}/groups/${workspace.group_id}/move`, {
      token: owner.token,
      body: { parent_group_id: workspace.group_id },
    });
    expect([self.status, self.body.code]).toEqual([400, "group_cycle"]);

    // Moving the project to a new workspace carries its team along.
    const other = (await create("workspace", "Research")).body;
    const moved = await h.call("POST", `/v1/organizations/${accountId}/groups/${project.group_id}/move`, {
      token: owner.token,
      body: { parent_group_id: other.group_id },
    });
    expect(moved.body.ancestor_group_ids).toEqual([accountId, other.group_id]);
    const teamNow = await h.call("GET", `/v1/organizations/${accountId}/groups/${team.group_id}`, {
      token: owner.token,
    });
    expect(teamNow.body.ancestor_group_ids).toEqual([accountId, other.group_id, project.group_id]);

    const renamed = await h.call("PATCH", `/v1/organizations/${accountId}/groups/${team.group_id}`, {
      token: owner.token,
      body: { name: "Launch team" },
    });
    expect(renamed.body.name).toBe("Launch team");
    const archived = await h.call(
      "POST",
      `/v1/organizations/${accountId}/groups/${project.group_id}/archive`,
      { token: owner.token },
    );
    expect(archived.body.archived_at).not.toBeNull();
    const list = await h.call("GET", `/v1/organizations/${accountId}/groups`, { token: owner.token });
    expect(list.body.data.map((g: { group_id: string }) => g.group_id)).not.toContain(team.group_id);
    expect((await events(project.group_id)).map((e) => e.type)).toEqual([
      "GroupCreated",
      "GroupMoved",
      "GroupArchived",
    ]);
  });

  it.each([
    [
      "an unknown parent",
      { type: "project", name: "X", parent_group_id: "grp_missing" },
      "parent_group_unknown",
    ],
    ["an unknown type", { type: "galaxy", name: "X" }, "invalid_request_body"],
    [
      "a default role outside the allowed ones",
      { type: "team", name: "X", allowed_roles: ["viewer"], default_role: "admin" },
      "default_role_not_allowed",
    ],
  ])("refuses a group with %s and writes nothing", async (_case, body, code) => {
    const { accountId, owner } = await h.organization();
    const res = await h.call("POST", `/v1/organizations/${accountId}/groups`, { token: owner.token, body });
    expect([res.status, res.body.code]).toEqual([400, code]);
    expect(
      (await h.call("GET", `/v1/organizations/${accountId}/groups`, { token: owner.token })).body.data,
    ).toEqual([]);
  });
});

describe("memberships", () => {
  it("adds people to the organization and to teams with allowed and default roles", async () => {
    const organization = await h.organization();
    const { accountId, owner } = organization;
    const person = await h.member(organization, "admin");
    const members = await h.call("GET", `/v1/organizations/${accountId}/members`, { token: owner.token });
    expect(members.body.data.find((m: { user_id: string }) => m.user_id === person.userId)).toMatchObject({
      role: "admin",
      source: "invitation",
    });
    const again = await h.call("POST", `/v1/organizations/${accountId}/members`, {
      token: owner.token,
      body: { user_id: person.userId, role: "admin" },
    });
    expect([again.status, again.body.code]).toEqual([409, "member_exists"]);
    const team = (
      await h.call("POST", `/v1/organizations/${accountId}/groups`, {
        token: owner.token,
        body: {
          type: "team",
          name: "Core",
          allowed_roles: ["maintainer", "contributor"],
          default_role: "contributor",
        },
      })
    ).body;
    const joined = await h.call("POST", `/v1/organizations/${accountId}/groups/${team.group_id}/members`, {
      token: owner.token,
      body: { user_id: person.userId },
    });
    expect(joined.body.role).toBe("contributor");
    const refused = await h.call(
      "PATCH",
      `/v1/organizations/${accountId}/groups/${team.group_id}/members/${person.userId}`,
      {
        token: owner.token,
        body: { role: "admin" },
      },
    );
    expect([refused.status, refused.body.code]).toEqual([400, "role_not_allowed"]);
    const promoted = await h.call(
      "PATCH",
      `/v1/organizations/${accountId}/groups/${team.group_id}/members/${person.userId}`,
      {
        token: owner.token,
        body: { role: "maintainer" },
      },
    );
    expect(promoted.body.role).toBe("maintainer");
    // Leaving the organization leaves its teams too.
    expect(
      (
        await h.call("DELETE", `/v1/organizations/${accountId}/members/${person.userId}`, {
          token: owner.token,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await h.call("GET", `/v1/organizations/${accountId}/groups/${team.group_id}/members`, {
          token: owner.token,
        })
      ).body.data,
    ).toEqual([]);
    expect((await events(`${team.group_id}:${person.userId}`)).map((e) => e.type)).toEqual([
      "MemberAdded",
      "MemberRoleChanged",
      "MemberRemoved",
    ]);
  });

  it("keeps at least one owner, and refuses strangers in teams", async () => {
    const { accountId, owner } = await h.organization();
    const lastOwner = await h.call("DELETE", `/v1/organizations/${accountId}/members/${owner.userId}`, {
      token: owner.token,
    });
    expect([lastOwner.status, lastOwner.body.code]).toEqual([409, "last_owner"]);
    const team = (
      await h.call("POST", `/v1/organizations/${accountId}/groups`, {
        token: owner.token,
        body: { type: "team", name: "T" },
      })
    ).body;
    const stranger = await h.person();
    const res = await h.call("POST", `/v1/organizations/${accountId}/groups/${team.group_id}/members`, {
      token: owner.token,
      body: { user_id: stranger.userId },
    });
    expect([res.status, res.body.code]).toEqual([404, "not_an_organization_member"]);
  });

  it("adds nobody without their consent: another organization's member and an unknown id answer alike, and nothing changes", async () => {
    const alpha = await h.organization("Alpha");
    const beta = await h.organization("Beta");
    const betaMember = await h.member(beta);
    const loner = await h.person();
    const team = (
      await h.call("POST", `/v1/organizations/${alpha.accountId}/groups`, {
        token: alpha.owner.token,
        body: { type: "team", name: "T" },
      })
    ).body;
    const attempt = async (path: string, userId: string) => {
      const res = await h.call("POST", `/v1/organizations/${alpha.accountId}${path}`, {
        token: alpha.owner.token,
        body: { user_id: userId, role: "member" },
      });
      // The id itself is the only part of the answer that may differ.
      return { status: res.status, body: JSON.parse(JSON.stringify(res.body).replaceAll(userId, "<id>")) };
    };
    for (const path of ["/members", `/groups/${team.group_id}/members`]) {
      const unknown = await attempt(path, "usr_never_signed_up");
      expect([unknown.status, unknown.body.code]).toEqual([404, "not_an_organization_member"]);
      const { instance: _unknownRequest, ...unknownBody } = unknown.body;
      for (const userId of [betaMember.userId, beta.owner.userId, loner.userId]) {
        const refused = await attempt(path, userId);
        const { instance: _request, ...body } = refused.body;
        expect([path, refused.status, body]).toEqual([path, unknown.status, unknownBody]);
      }
    }
    const alphaMembers = await h.call("GET", `/v1/organizations/${alpha.accountId}/members`, {
      token: alpha.owner.token,
    });
    expect(alphaMembers.body.data.map((m: { user_id: string }) => m.user_id)).toEqual([alpha.owner.userId]);
    for (const userId of [betaMember.userId, beta.owner.userId, loner.userId])
      expect(await events(`${alpha.accountId}:${userId}`)).toEqual([]);
  });

  it("enforces the plan's seat limit on invite, and lifts it with a bigger plan", async () => {
    const { accountId, owner } = await h.organization();
    const plan = (planId: string, users: number) => ({
      subscription_id: `sub_${accountId}`,
      subscription_status: "active",
      current_period_start: Date.now(),
      current_period_end: Date.now() + 30 * 86_400_000,
      mrr_cents: 4900,
      plan: {
        plan_id: planId,
        name: planId,
        interval: "month",
        price_cents: 4900,
        currency: "USD",
        limits: { users },
        overage_unit_prices: {},
        features: [],
      },
      auto_renew: true,
    });
    await h.publish("billing", BillingEvent.SubscriptionCreated, `sub_${accountId}`, {
      account_id: accountId,
      ...plan("starter", 2),
    });
    await waitFor(() =>
      h
        .call("GET", `/v1/organizations/${accountId}/traits`, { token: owner.token })
        .then((r) => r.body.seat_limit === 2 || undefined),
    );
    const invited = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
      token: owner.token,
      body: { email: "first@example.com", role: "member" },
    });
    expect(invited.status).toBe(201);
    const over = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
      token: owner.token,
      body: { email: "second@example.com", role: "member" },
    });
    expect([over.status, over.body.code, over.body.limit]).toEqual([422, "seat_limit_reached", 2]);

    await h.publish("billing", BillingEvent.SubscriptionUpgraded, `sub_${accountId}`, {
      account_id: accountId,
      ...plan("enterprise", -1),
      previous_plan: plan("starter", 2).plan,
      immediate: true,
      effective_at: Date.now(),
      proration_cents: 0,
      previous_mrr_cents: 4900,
    });
    await waitFor(() =>
      h
        .call("GET", `/v1/organizations/${accountId}/traits`, { token: owner.token })
        .then((r) => r.body.seat_limit === -1 || undefined),
    );
    expect(
      (
        await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
          token: owner.token,
          body: { email: "second@example.com", role: "member" },
        })
      ).status,
    ).toBe(201);
  });
});

describe("invitations", () => {
  it("invites with a role, stores the address but publishes only its hash, resends with a new link, revokes", async () => {
    const { accountId, owner } = await h.organization();
    const res = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
      token: owner.token,
      body: { email: "Grace@Example.com", role: "admin" },
    });
    expect([res.status, res.body.email, res.body.status]).toEqual([201, "grace@example.com", "pending"]);
    const id = res.body.invitation_id;
    expect(new Date(res.body.expires_at).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const [sent] = await events(id);
    expect(sent?.type).toBe("InvitationSent");
    expect(JSON.stringify(sent?.payload)).not.toContain("grace@example.com");
    expect(sent?.payload).toMatchObject({
      invitee_role: "admin",
      invitee_email_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const duplicate = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
      token: owner.token,
      body: { email: "grace@example.com", role: "member" },
    });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, "invitation_exists"]);
    const resent = await h.call("POST", `/v1/organizations/${accountId}/invitations/${id}/resend`, {
      token: owner.token,
    });
    expect(resent.body.send_count).toBe(2);
    const links = await h.service.db.outboundEmail.findMany({
      where: { recipient: "grace@example.com" },
      orderBy: { createdAt: "asc" },
    });
    expect(links).toHaveLength(2);
    const [first, second] = links.map((email) => (email.variables as { link: string }).link);
    expect(first).not.toBe(second);
    const revoked = await h.call("DELETE", `/v1/organizations/${accountId}/invitations/${id}`, {
      token: owner.token,
    });
    expect(revoked.body.status).toBe("revoked");
    const again = await h.call("POST", `/v1/organizations/${accountId}/invitations/${id}/resend`, {
      token: owner.token,
    });
    expect([again.status, again.body.code]).toEqual([409, "invitation_not_pending"]);
    expect((await events(id)).map((e) => e.type)).toEqual([
      "InvitationSent",
      "InvitationResent",
      "InvitationRevoked",
    ]);
  });

  it("makes the invitee a member when identity says they joined (user.joined)", async () => {
    const { accountId, owner } = await h.organization();
    const invitee = await h.person();
    const { body } = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
      token: owner.token,
      body: { email: invitee.email, role: "viewer" },
    });
    await h.publish("identity", IdentityEvent.UserJoined, invitee.userId, {
      account_id: accountId,
      user_id: invitee.userId,
      email: invitee.email,
      invitation_id: body.invitation_id,
      role: "viewer",
      group_id: null,
    });
    const members = await waitFor(
      async () => {
        const res = await h.call("GET", `/v1/organizations/${accountId}/members`, { token: owner.token });
        return res.body.data.some((m: { user_id: string }) => m.user_id === invitee.userId)
          ? res.body.data
          : undefined;
      },
      { what: "the invitee to become a member" },
    );
    expect(members.find((m: { user_id: string }) => m.user_id === invitee.userId)).toMatchObject({
      role: "viewer",
      source: "invitation",
    });
    expect((await events(body.invitation_id)).map((e) => e.type)).toEqual([
      "InvitationSent",
      "InvitationAccepted",
    ]);
  });

  it("lets an expired invitation go: it no longer blocks the address or holds a seat", async () => {
    const { accountId, owner } = await h.organization();
    const first = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
      token: owner.token,
      body: { email: "late@example.com", role: "member" },
    });
    h.clock.advance(8 * 86_400_000);
    try {
      // A week later the owner signs in again: a fresh token.
      const token = await h.token(owner.userId, accountId, "owner");
      const again = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
        token,
        body: { email: "late@example.com", role: "member" },
      });
      expect([first.status, again.status]).toEqual([201, 201]);
    } finally {
      h.clock.advance(-8 * 86_400_000);
    }
  });

  it.each([
    ["an invalid e-mail", { email: "nope", role: "member" }, 400, "invalid_request_body"],
    ["an existing member", { email: "OWNER", role: "member" }, 409, "member_exists"],
  ])("refuses %s", async (_case, body, status, code) => {
    const { accountId, owner } = await h.organization();
    const res = await h.call("POST", `/v1/organizations/${accountId}/invitations`, {
      token: owner.token,
      body: { ...body, email: body.email === "OWNER" ? owner.email : body.email },
    });
    expect([res.status, res.body.code]).toEqual([status, code]);
  });
});
