/**
 * SCIM 2.0 through the service against real Postgres and Kafka, with the requests Okta and
 * Microsoft Entra send: the full provisioning sequence, errors in SCIM's format, deactivation ending
 * sessions, groups becoming events, and one organization's directory never reaching another's people.
 */
import { BillingEvent, TenancyEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { type Harness, startIdentity } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

let counter = 0;
async function directoryFor(accountId: string): Promise<string> {
  const email = `scim-admin${++counter}.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember(accountId, body.user_id, "admin");
  const token = (await h.call("POST", "/v1/sessions", { body: { email, password, account_id: accountId } }))
    .body.access_token;
  const issued = await h.call("POST", `/v1/organizations/${accountId}/scim-tokens`, { token });
  expect(issued.status).toBe(201);
  expect(issued.body.token).toMatch(/^scim_/);
  return issued.body.token;
}

async function scim(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.url}/scim/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { "content-type": "application/scim+json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    body: text ? JSON.parse(text) : null,
  };
}

const userSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
const patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

function oktaUser(userName: string) {
  return {
    schemas: [userSchema],
    userName,
    name: { givenName: "Barbara", familyName: "Jensen" },
    emails: [{ primary: true, value: userName, type: "work" }],
    displayName: "Barbara Jensen",
    locale: "en-US",
    externalId: `00u${counter}okta`,
    groups: [],
    active: true,
  };
}

it('runs the provisioning sequence: create, filter by userName, PATCH active "False", list, delete', async () => {
  const token = await directoryFor("org_scim");
  const userName = `bjensen.${Date.now()}@acme.test`;
  const created = await scim(token, "POST", "/Users", oktaUser(userName));
  expect(created.status).toBe(201);
  expect(created.contentType).toContain("application/scim+json");
  expect(created.body).toMatchObject({ userName, active: true, name: { givenName: "Barbara" } });
  const id = created.body.id as string;

  const filtered = await scim(
    token,
    "GET",
    `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`,
  );
  expect([filtered.status, filtered.body.totalResults, filtered.body.Resources[0].id]).toEqual([200, 1, id]);

  // Microsoft Entra's shape: capitalised op, "False" as a string.
  const patched = await scim(token, "PATCH", `/Users/${id}`, {
    schemas: [patchSchema],
    Operations: [{ op: "Replace", path: "active", value: "False" }],
  });
  expect([patched.status, patched.body.active]).toEqual([200, false]);

  const listed = await scim(token, "GET", "/Users");
  expect(listed.body.Resources.find((u: { id: string }) => u.id === id)?.active).toBe(false);

  expect((await scim(token, "DELETE", `/Users/${id}`)).status).toBe(204);
  expect((await scim(token, "GET", `/Users/${id}`)).status).toBe(404);
  const events = await h.service.db.$queryRawUnsafe<{ event_type: string }[]>(
    "SELECT event_type FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    id,
  );
  expect(events.map((e) => e.event_type.replace("platform.identity.", ""))).toEqual([
    "UserProvisioned",
    "UserDeactivated",
    "UserRemoved",
  ]);
});

it("ends the person's sessions in the organization when the directory deactivates them", async () => {
  const token = await directoryFor("org_scim_sessions");
  const userName = `signed-in.${Date.now()}@acme.test`;
  const { body } = await scim(token, "POST", "/Users", oktaUser(userName));
  // The person sets a password through the reset flow, then signs in.
  await h.call("POST", "/v1/password/forgot", { body: { email: userName } });
  const email = await h.service.db.outboundEmail.findFirstOrThrow({ where: { recipient: userName } });
  const resetToken = new URL((email.variables as { link: string }).link).searchParams.get("token");
  await h.call("POST", "/v1/password/reset", {
    body: { token: resetToken, password: "a fine long passphrase" },
  });
  const session = await h.call("POST", "/v1/sessions", {
    body: { email: userName, password: "a fine long passphrase", account_id: "org_scim_sessions" },
  });
  expect(session.body.account_id).toBe("org_scim_sessions");

  // Okta's shape: lower-case op, no path, boolean value.
  await scim(token, "PATCH", `/Users/${body.id}`, {
    schemas: [patchSchema],
    Operations: [{ op: "replace", value: { active: false } }],
  });
  const refresh = await h.call("POST", "/v1/sessions/refresh", {
    body: { refresh_token: session.body.refresh_token },
  });
  expect(refresh.status).toBe(401);
  expect((await h.call("GET", "/v1/me", { token: session.body.access_token })).status).toBe(401);
  const again = await h.call("POST", "/v1/sessions", {
    body: { email: userName, password: "a fine long passphrase", account_id: "org_scim_sessions" },
  });
  expect(again.body.account_id).toBeNull();
});

it("answers errors in SCIM's format and changes nothing", async () => {
  const token = await directoryFor("org_scim_errors");
  const userName = `dup.${Date.now()}@acme.test`;
  expect((await scim(token, "POST", "/Users", oktaUser(userName))).status).toBe(201);
  const duplicate = await scim(token, "POST", "/Users", oktaUser(userName));
  expect(duplicate.status).toBe(409);
  expect(duplicate.body).toEqual({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
    status: "409",
    scimType: "uniqueness",
    detail: expect.any(String),
  });

  const badFilter = await scim(token, "GET", `/Users?filter=${encodeURIComponent('userName xx "a"')}`);
  expect([badFilter.status, badFilter.body.scimType]).toEqual([400, "invalidFilter"]);

  const { body: listed } = await scim(
    token,
    "GET",
    `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
  );
  const id = listed.Resources[0].id;
  const badPatch = await scim(token, "PATCH", `/Users/${id}`, {
    schemas: [patchSchema],
    Operations: [
      { op: "replace", path: "name.givenName", value: "Changed" },
      { op: "replace", path: "nonsense.path", value: "x" },
    ],
  });
  expect([badPatch.status, badPatch.body.scimType]).toEqual([400, "invalidPath"]);
  expect((await scim(token, "GET", `/Users/${id}`)).body.name.givenName).toBe("Barbara");

  const noUserName = await scim(token, "POST", "/Users", {
    schemas: [userSchema],
    emails: [{ value: "x@acme.test" }],
  });
  expect([noUserName.status, noUserName.body.scimType]).toEqual([400, "invalidValue"]);

  const unauthenticated = await scim("scim_not-a-token", "GET", "/Users");
  expect([unauthenticated.status, unauthenticated.body.status]).toEqual([401, "401"]);
});

it("keeps directories apart: one organization's token cannot see or change another's people", async () => {
  const mine = await directoryFor("org_scim_a");
  const theirs = await directoryFor("org_scim_b");
  const { body } = await scim(theirs, "POST", "/Users", oktaUser(`theirs.${Date.now()}@acme.test`));
  expect((await scim(mine, "GET", `/Users/${body.id}`)).status).toBe(404);
  expect(
    (
      await scim(mine, "PATCH", `/Users/${body.id}`, {
        schemas: [patchSchema],
        Operations: [{ op: "replace", path: "active", value: false }],
      })
    ).status,
  ).toBe(404);
  expect((await scim(mine, "DELETE", `/Users/${body.id}`)).status).toBe(404);
  const list = await scim(mine, "GET", "/Users");
  expect(list.body.Resources.map((u: { id: string }) => u.id)).not.toContain(body.id);
  expect((await scim(theirs, "GET", `/Users/${body.id}`)).body.active).toBe(true);
});

it("turns directory groups into events carrying their members", async () => {
  const token = await directoryFor("org_scim_groups");
  const { body: user } = await scim(token, "POST", "/Users", oktaUser(`member.${Date.now()}@acme.test`));
  const created = await scim(token, "POST", "/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: "Engineering",
    members: [{ value: user.id }],
  });
  expect(created.status).toBe(201);
  const removed = await scim(token, "PATCH", `/Groups/${created.body.id}`, {
    schemas: [patchSchema],
    Operations: [{ op: "Remove", path: "members", value: [{ value: user.id }] }],
  });
  expect([removed.status, removed.body.members ?? []]).toEqual([200, []]);
  const unknownMember = await scim(token, "POST", "/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: "Ghosts",
    members: [{ value: "usr_from_elsewhere" }],
  });
  expect([unknownMember.status, unknownMember.body.scimType]).toEqual([400, "invalidValue"]);
  const events = await h.service.db.$queryRawUnsafe<
    { event_type: string; payload: { member_user_ids: string[] } }[]
  >(
    "SELECT event_type, payload FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    created.body.id,
  );
  expect(
    events.map((e) => [e.event_type.replace("platform.identity.", ""), e.payload.member_user_ids]),
  ).toEqual([
    ["DirectoryGroupCreated", [user.id]],
    ["DirectoryGroupUpdated", []],
  ]);
});

it("serves the discovery documents", async () => {
  const token = await directoryFor("org_scim_discovery");
  const config = await scim(token, "GET", "/ServiceProviderConfig");
  expect(config.body.patch.supported).toBe(true);
  expect((await scim(token, "GET", "/ResourceTypes")).body.totalResults).toBe(2);
  expect((await scim(token, "GET", "/Schemas")).body.Resources.map((s: { id: string }) => s.id)).toContain(
    userSchema,
  );
});

describe("userName, excludedAttributes and error bodies (RFC 7643/7644)", () => {
  const scimError = (status: number, scimType?: string) => ({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail: expect.any(String),
  });

  it("keeps userName unique whatever its case, so a filter never finds two", async () => {
    const token = await directoryFor("org_scim_case");
    const stamp = Date.now();
    const lower = `pg2.${stamp}@contoso.com`;
    const first = await scim(token, "POST", "/Users", oktaUser(lower));
    expect(first.status).toBe(201);
    // Another address, the same userName in capitals.
    const shouting = { ...oktaUser(lower.toUpperCase()), emails: [{ value: `other.${stamp}@contoso.com` }] };
    const duplicate = await scim(token, "POST", "/Users", shouting);
    expect([duplicate.status, duplicate.body]).toEqual([409, scimError(409, "uniqueness")]);

    const second = await scim(token, "POST", "/Users", oktaUser(`second.${stamp}@contoso.com`));
    const renamed = await scim(token, "PATCH", `/Users/${second.body.id}`, {
      schemas: [patchSchema],
      Operations: [{ op: "replace", path: "userName", value: `Pg2.${stamp}@Contoso.com` }],
    });
    expect([renamed.status, renamed.body]).toEqual([409, scimError(409, "uniqueness")]);

    const found = await scim(token, "GET", `/Users?filter=${encodeURIComponent(`userName eq "${lower}"`)}`);
    expect([found.body.totalResults, found.body.Resources.map((u: { id: string }) => u.id)]).toEqual([
      1,
      [first.body.id],
    ]);
  });

  it("gives every 409 a scimType, including a person who exists outside the directory's domains", async () => {
    const token = await directoryFor("org_scim_conflicts");
    const email = `outsider.${Date.now()}@elsewhere.test`;
    await h.call("POST", "/v1/users", { body: { email, password: "correct horse battery staple" } });
    const claimed = await scim(token, "POST", "/Users", oktaUser(email));
    expect([claimed.status, claimed.body]).toEqual([409, scimError(409, "uniqueness")]);
  });

  it("honours excludedAttributes on reads, lists and writes, never dropping id or schemas", async () => {
    const token = await directoryFor("org_scim_excluded");
    const userName = `excluded.${Date.now()}@acme.test`;
    const created = await scim(token, "POST", "/Users?excludedAttributes=emails", oktaUser(userName));
    expect(created.status).toBe(201);
    expect(created.body.emails).toBeUndefined();
    const id = created.body.id as string;

    const one = await scim(token, "GET", `/Users/${id}?excludedAttributes=name.givenName,EMAILS,id,schemas`);
    expect(one.body).toMatchObject({ id, userName, schemas: [userSchema], name: { familyName: "Jensen" } });
    expect([one.body.emails, one.body.name.givenName]).toEqual([undefined, undefined]);

    const qualified = await scim(
      token,
      "GET",
      `/Users?excludedAttributes=${encodeURIComponent(`${userSchema}:name,meta`)}`,
    );
    const listed = qualified.body.Resources.find((u: { id: string }) => u.id === id);
    expect([listed.name, listed.meta, listed.userName]).toEqual([undefined, undefined, userName]);

    const group = await scim(token, "POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Excluded",
      members: [{ value: id }],
    });
    const withoutMembers = await scim(token, "GET", `/Groups/${group.body.id}?excludedAttributes=members`);
    expect([withoutMembers.body.displayName, withoutMembers.body.members]).toEqual(["Excluded", undefined]);
  });

  it("answers a body over the limit with 413 in SCIM's error format", async () => {
    const token = await directoryFor("org_scim_large");
    const huge = { ...oktaUser(`large.${Date.now()}@acme.test`), displayName: "x".repeat(1_100_000) };
    const res = await scim(token, "POST", "/Users", huge);
    expect([res.status, res.contentType, res.body]).toEqual([
      413,
      expect.stringContaining("application/scim+json"),
      scimError(413),
    ]);
    expect((await scim(token, "GET", "/Users")).body.totalResults).toBe(1);
  });
});

describe("seats (identity projects the plan's limit and the organization's members and invitations)", () => {
  const plan = (accountId: string, users: number) => ({
    account_id: accountId,
    subscription_id: `sub_${accountId}`,
    subscription_status: "active",
    current_period_start: Date.now(),
    current_period_end: Date.now() + 30 * 86_400_000,
    mrr_cents: 4900,
    plan: {
      plan_id: "starter",
      name: "Starter",
      interval: "month",
      price_cents: 4900,
      currency: "USD",
      limits: { users },
      overage_unit_prices: {},
      features: [],
    },
    auto_renew: true,
    occurred_at: Date.now(),
    actor: { type: "system", id: null, ip_address: null, user_agent: null },
  });

  it("refuses a SCIM create over the seat limit in SCIM's format, counting members and pending invitations", async () => {
    const accountId = `org_scim_seats_${Date.now()}`;
    const token = await directoryFor(accountId);
    await h.publishBillingEvent(BillingEvent.SubscriptionCreated, `sub_${accountId}`, 1, plan(accountId, 4));
    await h.publishTenancyEvent(TenancyEvent.InvitationSent, "inv_seat_1", 1, {
      account_id: accountId,
      invitation_id: `inv_${accountId}`,
      invitee_email_hash: "0".repeat(64),
      invitee_role: "member",
      group_id: null,
      expires_at: Date.now() + 86_400_000,
      token_sha256: "1".repeat(64),
      occurred_at: Date.now(),
      actor: { type: "user", id: null, ip_address: null, user_agent: null },
    });
    await waitFor(
      async () =>
        (await h.service.db.seatLimit.findUnique({ where: { accountId } }))?.seatLimit === 4 &&
        (await h.service.db.invitation.count({ where: { accountId } })) === 1
          ? true
          : undefined,
      { what: "the plan and the invitation to reach identity" },
    );
    // The admin and the invitation hold two of four seats.
    for (const n of [1, 2])
      expect((await scim(token, "POST", "/Users", oktaUser(`seat${n}.${Date.now()}@acme.test`))).status).toBe(
        201,
      );
    const over = await scim(token, "POST", "/Users", oktaUser(`seat3.${Date.now()}@acme.test`));
    expect([over.status, over.contentType, over.body]).toEqual([
      422,
      expect.stringContaining("application/scim+json"),
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "422",
        detail: expect.stringMatching(
          /seat limit reached: the plan allows 4 users and 3 members plus 1 pending/,
        ),
      },
    ]);
    expect((await scim(token, "GET", "/Users")).body.totalResults).toBe(3);

    await h.publishBillingEvent(BillingEvent.SubscriptionUpgraded, `sub_${accountId}`, 2, {
      ...plan(accountId, -1),
      previous_plan: plan(accountId, 4).plan,
      immediate: true,
      effective_at: Date.now(),
      proration_cents: 0,
      previous_mrr_cents: 4900,
    });
    await waitFor(
      async () =>
        (await h.service.db.seatLimit.findUnique({ where: { accountId } }))?.seatLimit === -1
          ? true
          : undefined,
      { what: "the upgrade to reach identity" },
    );
    expect((await scim(token, "POST", "/Users", oktaUser(`seat4.${Date.now()}@acme.test`))).status).toBe(201);

    // The subscription ends: no plan, and the limit without one (5) applies again to the 5 seats held.
    await h.publishBillingEvent(BillingEvent.SubscriptionEnded, `sub_${accountId}`, 3, {
      account_id: accountId,
      subscription_id: `sub_${accountId}`,
      subscription_status: "ended",
      plan: plan(accountId, -1).plan,
      previous_mrr_cents: 4900,
      mrr_cents: 0,
      reason: "canceled",
      occurred_at: Date.now(),
      actor: { type: "system", id: null, ip_address: null, user_agent: null },
    });
    await waitFor(
      async () =>
        (await h.service.db.seatLimit.findUnique({ where: { accountId } })) === null ? true : undefined,
      { what: "the end of the subscription to reach identity" },
    );
    const afterEnd = await scim(token, "POST", "/Users", oktaUser(`seat5.${Date.now()}@acme.test`));
    expect([afterEnd.status, afterEnd.body.detail]).toEqual([
      422,
      expect.stringMatching(/the plan allows 5 users/),
    ]);
  });

  it("leaves a person the directory suspended suspended when tenancy's membership arrives", async () => {
    const accountId = `org_scim_suspended_${Date.now()}`;
    const token = await directoryFor(accountId);
    const created = await scim(token, "POST", "/Users", {
      ...oktaUser(`suspended.${Date.now()}@acme.test`),
      active: false,
    });
    const membership = `${accountId}:${created.body.id}`;
    await h.publishTenancyEvent(TenancyEvent.MemberAdded, membership, 1, {
      account_id: accountId,
      user_id: created.body.id,
      group_id: accountId,
      group_type: "account",
      role: "member",
      source: "scim",
      occurred_at: Date.now(),
      actor: { type: "scim", id: null, ip_address: null, user_agent: null },
    });
    await waitFor(
      async () => {
        const applied = await h.service.db.$queryRawUnsafe<unknown[]>(
          "SELECT 1 FROM platform_applied_versions WHERE aggregate_id = $1",
          membership,
        );
        return applied.length > 0 || undefined;
      },
      { what: "identity to apply tenancy's MemberAdded" },
    );
    expect((await scim(token, "GET", `/Users/${created.body.id}`)).body.active).toBe(false);
  });
});

describe("people the directory does not own (a person is global)", () => {
  const system = { type: "system", id: null, ip_address: null, user_agent: null };
  let version = 0;
  async function verifyDomain(accountId: string, domain: string) {
    await h.publishTenancyEvent(TenancyEvent.DomainVerified, `dom_${domain}`, ++version, {
      account_id: accountId,
      domain_id: `dom_${domain}`,
      domain,
      auto_join: false,
      occurred_at: Date.now(),
      actor: system,
    });
    await waitFor(
      async () => ((await h.service.db.verifiedDomain.findUnique({ where: { domain } })) ? true : undefined),
      { what: `${domain} verified for ${accountId}` },
    );
  }
  async function signUp(email: string): Promise<string> {
    const { body } = await h.call("POST", "/v1/users", {
      body: { email, password: "correct horse battery staple" },
    });
    return body.user_id;
  }
  const rename = (givenName: string) => ({
    schemas: [patchSchema],
    Operations: [{ op: "replace", path: "name.givenName", value: givenName }],
  });

  it("cannot claim another organization's member through domains an admin merely listed, and answers their id like an unknown one", async () => {
    const stamp = Date.now();
    const alpha = `org_alpha_${stamp}`;
    const beta = `org_beta_${stamp}`;
    const bobEmail = `bob.${stamp}@beta-corp.test`;
    const bob = await signUp(bobEmail);
    await h.addMember(beta, bob, "member");
    const alphaDirectory = await directoryFor(alpha);
    // Alpha lists Beta's domain on an SSO connection: typing a domain proves nothing.
    await h.service.db.ssoConnection.create({
      data: {
        id: `sso_${stamp}`,
        accountId: alpha,
        protocol: "saml",
        name: "listed",
        settings: { domains: ["beta-corp.test"] },
        jitProvisioning: true,
        defaultRole: "member",
      },
    });
    const claimed = await scim(alphaDirectory, "POST", "/Users", oktaUser(bobEmail));
    expect([claimed.status, claimed.body.scimType]).toEqual([409, "uniqueness"]);
    expect(await h.service.db.accountAccess.count({ where: { userId: bob, accountId: alpha } })).toBe(0);

    // Bob's id and an unknown id get the same answer from Alpha's directory, for every verb.
    const alike = async (method: string, suffix = "", body?: unknown) => {
      const known = await scim(alphaDirectory, method, `/Users/${bob}${suffix}`, body);
      const unknown = await scim(alphaDirectory, method, `/Users/usr_unknown${stamp}${suffix}`, body);
      const blind = (res: { status: number; body: unknown }, id: string) => ({
        status: res.status,
        body: JSON.parse(JSON.stringify(res.body).replaceAll(id, "<id>")),
      });
      expect([method, blind(known, bob)]).toEqual([method, blind(unknown, `usr_unknown${stamp}`)]);
      expect(known.status).toBe(404);
    };
    await alike("GET");
    await alike("PATCH", "", rename("Hijacked"));
    await alike("PUT", "", oktaUser(bobEmail));
    await alike("DELETE");
    const group = await scim(alphaDirectory, "POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Grab",
      members: [{ value: bob }],
    });
    expect([group.status, group.body.scimType]).toEqual([400, "invalidValue"]);
    expect((await h.service.db.user.findUniqueOrThrow({ where: { id: bob } })).givenName).toBeNull();
  });

  it("changes a global profile only for people it provisioned at the organization's verified domains", async () => {
    const stamp = Date.now();
    const accountId = `org_owner_${stamp}`;
    const domain = `owned-${stamp}.test`;
    const directory = await directoryFor(accountId);
    await verifyDomain(accountId, domain);

    // Provisioned at a verified domain: the directory owns the person.
    const owned = await scim(directory, "POST", "/Users", oktaUser(`carol@${domain}`));
    const renamed = await scim(directory, "PATCH", `/Users/${owned.body.id}`, rename("Caroline"));
    expect([renamed.status, renamed.body.name.givenName]).toEqual([200, "Caroline"]);
    // ... but cannot move them to an address the organization does not own.
    const moved = await scim(directory, "PUT", `/Users/${owned.body.id}`, {
      ...oktaUser(`carol@${domain}`),
      emails: [{ value: `carol.${stamp}@elsewhere.test`, primary: true }],
    });
    expect([moved.status, moved.body.scimType]).toEqual([400, "mutability"]);

    // An existing person at the verified domain may be linked (and is then owned).
    const frankEmail = `frank@${domain}`;
    const frank = await signUp(frankEmail);
    const linked = await scim(directory, "POST", "/Users", oktaUser(frankEmail));
    expect([linked.status, linked.body.id]).toEqual([201, frank]);

    // Provisioned outside the verified domains: a member, but the name is the person's own.
    const outside = await scim(directory, "POST", "/Users", oktaUser(`erin.${stamp}@unverified.test`));
    expect(outside.status).toBe(201);
    const refused = await scim(directory, "PATCH", `/Users/${outside.body.id}`, rename("Renamed"));
    expect([refused.status, refused.body.scimType]).toEqual([400, "mutability"]);

    // A member who joined by invitation: per-organization attributes yes, the global profile no.
    const daveEmail = `dave@${domain}`;
    const dave = await signUp(daveEmail);
    await h.addMember(accountId, dave, "member");
    const daveRenamed = await scim(directory, "PATCH", `/Users/${dave}`, rename("David"));
    expect([daveRenamed.status, daveRenamed.body.scimType]).toEqual([400, "mutability"]);
    const daveSuspended = await scim(directory, "PATCH", `/Users/${dave}`, {
      schemas: [patchSchema],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    expect([daveSuspended.status, daveSuspended.body.active]).toEqual([200, false]);

    const profileEvents = await h.service.db.$queryRawUnsafe<{ aggregate_id: string }[]>(
      "SELECT aggregate_id FROM platform_events WHERE event_type = 'platform.identity.UserProfileUpdated' AND aggregate_id = ANY($1)",
      [owned.body.id, outside.body.id, dave],
    );
    expect(profileEvents.map((e) => e.aggregate_id)).toEqual([owned.body.id]);
  });
});
