/**
 * The rebuild proof (issue 10, item 3; docs/architecture.md, "The rebuild proof"): after the suite's
 * kinds of scenarios (sign-ups, sessions, roles, API keys, SCIM users and groups, tenancy's members,
 * invitations, closings and domains, billing's plans), every inline and async table is emptied and
 * rebuilt from identity.events, tenancy.events and billing.events, and equals the live copy row by
 * row. A table nobody classified, or one the rebuild does not restore, fails it.
 */

import { randomBytes } from "node:crypto";
import { privilegedUrlOf, proveRebuild, TableClassificationError } from "@platform/event-sourcing";
import { expectRebuiltEqual, infrastructure, rowsOf, waitFor, withClient } from "@platform/testkit";
import type { Client } from "pg";
import { sha256 } from "../src/domain/secrets";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../src/tables";
import { type Harness, lastEmailToken, startIdentity } from "./support/harness";
import { TestIdentityProvider } from "./support/saml-idp";

let h: Harness;
let adminUrl: string;
beforeAll(async () => {
  h = await startIdentity();
  adminUrl = privilegedUrlOf(h.db.url, infrastructure().postgresAdminUrl);
  await scenarios();
  await h.service.settled();
}, 180_000);
afterAll(() => h.close());

const system = { type: "system", id: null, ip_address: null, user_agent: null };
const password = "correct horse battery staple";
const stamp = Date.now();
const accountId = `org_rebuild_${stamp}`;
const closedAccountId = `org_rebuild_closed_${stamp}`;
let counter = 0;

async function signUp(): Promise<{ email: string; userId: string }> {
  const email = `rebuild${++counter}.${stamp}@example.com`;
  const { status, body } = await h.call("POST", "/v1/users", { body: { email, password } });
  if (status !== 201) throw new Error(`sign-up refused: ${JSON.stringify(body)}`);
  return { email, userId: body.user_id };
}

async function signIn(email: string, account = accountId) {
  const { status, body } = await h.call("POST", "/v1/sessions", {
    body: { email, password, account_id: account },
    headers: { "user-agent": "rebuild-proof/1.0" },
  });
  if (status !== 201) throw new Error(`sign-in refused: ${JSON.stringify(body)}`);
  return body as { access_token: string; refresh_token: string };
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
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const memberEvent = (userId: string, extra: Record<string, unknown>) => ({
  account_id: accountId,
  user_id: userId,
  group_id: accountId,
  group_type: "account",
  occurred_at: h.clock.now().getTime(),
  actor: system,
  ...extra,
});

/** A little of everything the suite does, through the HTTP API and the other services' topics. */
async function scenarios(): Promise<void> {
  const owner = await signUp();
  await h.addMember(accountId, owner.userId, "owner");
  const verifyToken = await lastEmailToken(h.service, owner.email, "verify_email");
  expect((await h.call("POST", "/v1/email/verify", { body: { token: verifyToken } })).status).toBe(204);
  const session = await signIn(owner.email);
  const refreshed = await h.call("POST", "/v1/sessions/refresh", {
    body: { refresh_token: session.refresh_token },
  });
  expect(refreshed.status).toBe(200);
  const token = refreshed.body.access_token as string;
  h.clock.advance(60_000);

  for (const permissions of [["projects.read"], ["projects.read", "projects.deploy"]])
    expect(
      (await h.call("PUT", `/v1/organizations/${accountId}/roles/deployer`, { token, body: { permissions } }))
        .status,
    ).toBe(200);
  const kept = await h.call("POST", `/v1/organizations/${accountId}/api-keys`, {
    token,
    body: { name: "CI", scopes: ["members.read"] },
  });
  const revoked = await h.call("POST", `/v1/organizations/${accountId}/api-keys`, {
    token,
    body: { name: "temp", scopes: ["members.read"] },
  });
  expect([kept.status, revoked.status]).toEqual([201, 201]);
  expect(
    (await h.call("DELETE", `/v1/organizations/${accountId}/api-keys/${revoked.body.id}`, { token })).status,
  ).toBe(204);
  expect(
    (await h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: kept.body.key } })).status,
  ).toBe(200);

  // Single sign-on: a SAML connection, changed.
  const idp = await TestIdentityProvider.create(
    "https://idp.rebuild.test/entity",
    "https://idp.rebuild.test/sso",
  );
  const connection = await h.call("POST", `/v1/organizations/${accountId}/sso/saml-connections`, {
    token,
    body: {
      name: "Rebuild Okta",
      idp_entity_id: idp.entityId,
      idp_sso_url: idp.ssoUrl,
      idp_certificate: idp.certificatePem,
      domains: [`rebuild-${stamp}.test`],
      default_role: "member",
    },
  });
  expect(connection.status).toBe(201);

  // A directory: a SCIM token, people provisioned, groups created, changed and deleted.
  const scimToken = (await h.call("POST", `/v1/organizations/${accountId}/scim-tokens`, { token })).body
    .token as string;
  const provisioned = await scim(scimToken, "POST", "/Users", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: `dir.${stamp}@acme.test`,
    name: { givenName: "Dee", familyName: "Rector" },
    emails: [{ primary: true, value: `dir.${stamp}@acme.test`, type: "work" }],
    active: true,
  });
  expect(provisioned.status).toBe(201);
  const group = await scim(scimToken, "POST", "/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: "Engineering",
    members: [{ value: provisioned.body.id }],
  });
  expect(group.status).toBe(201);
  h.clock.advance(60_000);
  expect(
    (
      await scim(scimToken, "PATCH", `/Groups/${group.body.id}`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "displayName", value: "Engineers" }],
      })
    ).status,
  ).toBe(200);
  const temporary = await scim(scimToken, "POST", "/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: "Temp",
    members: [],
  });
  expect((await scim(scimToken, "DELETE", `/Groups/${temporary.body.id}`)).status).toBe(204);
  expect(
    (
      await scim(scimToken, "PATCH", `/Users/${provisioned.body.id}`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { active: false } }],
      })
    ).status,
  ).toBe(200);

  // tenancy changes a member's role, then removes them: their access is revoked (a process).
  const admin = await signUp();
  await h.addMember(accountId, admin.userId, "admin");
  await signIn(admin.email);
  const membership = `${accountId}:${admin.userId}`;
  await h.publishTenancyEvent(
    "platform.tenancy.MemberRoleChanged",
    membership,
    2,
    memberEvent(admin.userId, { previous_role: "admin", role: "member" }),
  );
  await h.publishTenancyEvent(
    "platform.tenancy.MemberRemoved",
    membership,
    3,
    memberEvent(admin.userId, { role: "member", reason: "removed" }),
  );

  // What identity projects from tenancy and billing: an invitation, accepted by signing up with it.
  const inviteeEmail = `invitee.${stamp}@example.com`;
  const secret = randomBytes(32).toString("base64url");
  await h.publishTenancyEvent("platform.tenancy.InvitationSent", `inv_${stamp}`, 1, {
    account_id: accountId,
    invitation_id: `inv_${stamp}`,
    invitee_email_hash: sha256(inviteeEmail),
    invitee_role: "member",
    group_id: null,
    expires_at: h.clock.now().getTime() + 86_400_000,
    token_sha256: sha256(secret),
    occurred_at: h.clock.now().getTime(),
    actor: system,
  });
  await waitFor(
    () => h.service.db.invitation.findUnique({ where: { id: `inv_${stamp}` } }).then((r) => r ?? undefined),
    {
      what: "the invitation to reach identity",
    },
  );
  const invitee = await h.call("POST", "/v1/users", {
    body: { email: inviteeEmail, password, invitation_token: `inv_${stamp}.${secret}` },
  });
  expect(invitee.status).toBe(201);
  await h.publishTenancyEvent("platform.tenancy.DomainVerified", `dom_${stamp}`, 1, {
    account_id: accountId,
    domain_id: `dom_${stamp}`,
    domain: `rebuild-${stamp}.test`,
    auto_join: false,
    occurred_at: h.clock.now().getTime(),
    actor: system,
  });
  await h.publishTenancyEvent("platform.tenancy.OrganizationClosed", closedAccountId, 1, {
    account_id: closedAccountId,
    previous_status: "active",
    status: "closed",
    reason: "moving on",
    occurred_at: h.clock.now().getTime(),
    actor: system,
  });
  await h.publishBillingEvent("platform.billing.SubscriptionCreated", `sub_${accountId}`, 1, {
    account_id: accountId,
    subscription_id: `sub_${accountId}`,
    subscription_status: "active",
    current_period_start: h.clock.now().getTime(),
    current_period_end: h.clock.now().getTime() + 30 * 86_400_000,
    mrr_cents: 4900,
    plan: {
      plan_id: "starter",
      name: "Starter",
      interval: "month",
      price_cents: 4900,
      currency: "USD",
      limits: { users: 10 },
      overage_unit_prices: {},
      features: [],
    },
    auto_renew: true,
    occurred_at: h.clock.now().getTime(),
    actor: system,
  });
  expect((await h.call("DELETE", "/v1/sessions/current", { token })).status).toBe(204);
}

const admin = <T>(work: (client: Client) => Promise<T>) => withClient(adminUrl, work);

it("rebuilds every inline and async table from the logs, equal to the live copy, a day later", async () => {
  h.clock.advance(86_400_000);
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    unreplayedColumns: UNREPLAYED_COLUMNS,
    rebuild: () => h.service.rebuildAll(),
  });
  expectRebuiltEqual(report);
  expect(rowsOf(report, "revocations")).toBeGreaterThanOrEqual(3);
  expect(report.kept.notYetProven).toEqual([...TABLE_CLASSES.notYetProjected]);
  expect(report.kept.secretStore).toContain("user_passwords");
});

it("fails on a table no class names, before it empties anything", async () => {
  const audit = await h.service.db.auditEntry.count();
  await admin((client) => client.query("CREATE TABLE stray_notes (id text PRIMARY KEY)"));
  try {
    const failure = await proveRebuild({
      databaseUrl: adminUrl,
      classes: TABLE_CLASSES,
      rebuild: () => h.service.rebuildAll(),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TableClassificationError);
    expect((failure as TableClassificationError).gaps).toEqual([expect.stringContaining("stray_notes")]);
    expect(await h.service.db.auditEntry.count()).toBe(audit);
  } finally {
    await admin((client) => client.query("DROP TABLE stray_notes"));
  }
});

it("fails when the rebuild does not restore a table, naming its missing rows", async () => {
  // A rebuild that forgets the read models: their tables stay empty.
  const audit = await h.service.db.auditEntry.count();
  expect(audit).toBeGreaterThan(0);
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    rebuild: () => h.service.rebuildState(),
  });
  expect(report.equal).toBe(false);
  expect(report.differences.map((d) => d.table)).toEqual([...TABLE_CLASSES.async].sort());
  const missing = report.differences.find((d) => d.table === "audit_entries");
  expect([missing?.missing.length, missing?.extra, missing?.changed]).toEqual([audit, [], []]);
  await h.service.rebuildAll();
});

it("fails when a rebuilt row differs, naming the column and both values", async () => {
  const [entry] = await h.service.db.auditEntry.findMany({ orderBy: { eventId: "asc" }, take: 1 });
  if (!entry) throw new Error("no audit entry");
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    rebuild: async () => {
      await h.service.rebuildAll();
      // As a handler reading the wall clock would write it.
      await h.service.db.auditEntry.update({
        where: { eventId: entry.eventId },
        data: { occurredAt: new Date("2030-01-01T00:00:00Z") },
      });
    },
  });
  expect(report.differences).toEqual([
    {
      table: "audit_entries",
      missing: [],
      extra: [],
      changed: [
        {
          key: { event_id: JSON.stringify(entry.eventId) },
          columns: [
            {
              column: "occurred_at",
              live: expect.any(String),
              rebuilt: expect.stringMatching(/^"20(29|30)-/),
            },
          ],
        },
      ],
    },
  ]);
  // The tampered row back as the log says (PROVE_REBUILD=1 proves the file's leftovers on close).
  await h.service.rebuildAll();
});
