/**
 * Nobody hands on a role holding more than they do, and nobody changes or removes a member whose role
 * holds more: an admin cannot invite an owner, promote an accomplice, or demote or remove an owner.
 * Organizations' own roles count as identity defines them (RoleDefined), also after a restart.
 */
import { IdentityEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { TenancyService } from "../src/service";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h.close());

async function organizationWithAdmin(name: string) {
  const organization = await h.organization(name);
  const admin = await h.member(organization, "admin");
  return {
    ...organization,
    admin: { ...admin, token: await h.token(admin.userId, organization.accountId, "admin") },
  };
}

it.each(["owner", "billing_manager"])(
  "refuses an admin's invitation as %s, sending nothing",
  async (role) => {
    const org = await organizationWithAdmin(`Invite ${role}`);
    const email = `accomplice-${role}@example.com`;
    const res = await h.call("POST", `/v1/organizations/${org.accountId}/invitations`, {
      token: org.admin.token,
      body: { email, role },
    });
    expect([res.status, res.body.code]).toEqual([403, "grant_exceeds_own_permissions"]);
    expect(res.body.missing.length).toBeGreaterThan(0);
    expect(await h.service.db.outboundEmail.count({ where: { recipient: email } })).toBe(0);
    const asMember = await h.call("POST", `/v1/organizations/${org.accountId}/invitations`, {
      token: org.admin.token,
      body: { email, role: "member" },
    });
    expect(asMember.status).toBe(201);
  },
);

it("refuses an admin who promotes a member to owner, or demotes or removes an owner", async () => {
  const org = await organizationWithAdmin("Ranks");
  const member = await h.member(org, "member");
  const path = (userId: string) => `/v1/organizations/${org.accountId}/members/${userId}`;
  const promote = await h.call("PATCH", path(member.userId), {
    token: org.admin.token,
    body: { role: "owner" },
  });
  expect([promote.status, promote.body.code]).toEqual([403, "grant_exceeds_own_permissions"]);

  // A second owner, so the last-owner rule is not what stops the admin.
  const coOwner = await h.member(org, "owner");
  const demote = await h.call("PATCH", path(coOwner.userId), {
    token: org.admin.token,
    body: { role: "viewer" },
  });
  expect([demote.status, demote.body.code]).toEqual([403, "member_outranks_you"]);
  const remove = await h.call("DELETE", path(org.owner.userId), { token: org.admin.token });
  expect([remove.status, remove.body.code]).toEqual([403, "member_outranks_you"]);

  const roles = await h.call("GET", `/v1/organizations/${org.accountId}/members`, { token: org.owner.token });
  const roleOf = (userId: string) =>
    roles.body.data.find((m: { user_id: string }) => m.user_id === userId)?.role;
  expect([roleOf(member.userId), roleOf(coOwner.userId), roleOf(org.owner.userId)]).toEqual([
    "member",
    "owner",
    "owner",
  ]);

  // The owner may do all three; the admin may manage a member.
  expect(
    (await h.call("PATCH", path(member.userId), { token: org.admin.token, body: { role: "viewer" } })).status,
  ).toBe(200);
  expect(
    (await h.call("PATCH", path(coOwner.userId), { token: org.owner.token, body: { role: "admin" } })).status,
  ).toBe(200);
});

it("counts an organization's own role as identity defines it, also after a restart", async () => {
  const org = await organizationWithAdmin("Custom roles");
  await h.publish("identity", IdentityEvent.RoleDefined, `role:${org.accountId}:superuser`, {
    account_id: org.accountId,
    role: "superuser",
    permissions: ["*"],
    description: "everything",
  });
  await waitFor(
    () => (h.service.access.roles.permissionsOf(org.accountId, "superuser").includes("*") ? true : undefined),
    { what: "tenancy to learn the organization's role" },
  );
  const res = await h.call("POST", `/v1/organizations/${org.accountId}/invitations`, {
    token: org.admin.token,
    body: { email: "superuser@example.com", role: "superuser" },
  });
  expect([res.status, res.body.code]).toEqual([403, "grant_exceeds_own_permissions"]);

  const restarted = new TenancyService(h.service.config, h.clock);
  await restarted.start();
  try {
    expect(restarted.access.roles.permissionsOf(org.accountId, "superuser")).toEqual(["*"]);
  } finally {
    await restarted.stop();
  }
});

it("keeps a platform-wide role (account_id null) platform-wide after a restart", async () => {
  await h.publish("identity", IdentityEvent.RoleDefined, "role:platform:support_agent", {
    account_id: null,
    role: "support_agent",
    permissions: ["organization.read"],
    description: "reads organizations",
  });
  await waitFor(
    () =>
      h.service.access.roles.permissionsOf(null, "support_agent").includes("organization.read")
        ? true
        : undefined,
    { what: "tenancy to learn the platform's role" },
  );
  const restarted = new TenancyService(h.service.config, h.clock);
  await restarted.start();
  try {
    expect(restarted.access.roles.permissionsOf(null, "support_agent")).toEqual(["organization.read"]);
  } finally {
    await restarted.stop();
  }
});
