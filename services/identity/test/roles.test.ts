/**
 * Roles: the platform defaults published once as RoleDefined, and organizations' own roles that
 * apply in that organization only, with permissions checked the way every service checks them.
 */

import { DEFAULT_ROLES, permits } from "@platform/auth";
import { IdentityEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { type Harness, startIdentity } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

let counter = 0;
async function personIn(accountId: string, role: string) {
  const email = `roles${++counter}.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember(accountId, body.user_id, role);
  return (await h.call("POST", "/v1/sessions", { body: { email, password, account_id: accountId } })).body
    .access_token as string;
}

it("publishes each default role once, whatever the number of starts", async () => {
  await h.service.roleDefinitions.load();
  const rows = await h.service.db.$queryRawUnsafe<{ aggregate_id: string }[]>(
    "SELECT aggregate_id FROM platform_events WHERE event_type = 'platform.identity.RoleDefined' AND aggregate_id LIKE 'role:platform:%'",
  );
  expect(rows.map((r) => r.aggregate_id).sort()).toEqual(
    ["admin", "billing_manager", "member", "owner", "viewer"].map((r) => `role:platform:${r}`),
  );
});

it("publishes a default again when a release changed it, so other services' catalogs follow", async () => {
  const today = [...(DEFAULT_ROLES.admin ?? [])];
  // What an earlier release published for admin: organization.* (closing included).
  const before = ["organization.*", "members.*", "groups.*", "invitations.*", "api_keys.*"];
  await h.service.db.$transaction(async (tx) =>
    h.service.store.append(tx, {
      aggregate: { type: "role", id: "role:platform:admin" },
      expectedVersion: await h.service.store.currentVersion(tx, "role:platform:admin"),
      events: [
        {
          type: IdentityEvent.RoleDefined,
          data: {
            account_id: null,
            role: "admin",
            permissions: before,
            description: "platform default",
            occurred_at: Date.now(),
            actor: { type: "system", id: null, ip_address: null, user_agent: null },
          },
        },
      ],
    }),
  );
  // identity's own catalog follows the topic, as every other service's does.
  await waitFor(() => h.service.roles.permissionsOf(null, "admin").includes("organization.*") || undefined, {
    what: "the old admin definition to arrive",
  });

  await h.service.roleDefinitions.load(); // the next start, with today's defaults
  await h.service.roleDefinitions.load(); // and one more: nothing changed since
  const published = await h.service.db.$queryRawUnsafe<{ permissions: string[] }[]>(
    "SELECT payload->'permissions' AS permissions FROM platform_events WHERE aggregate_id = 'role:platform:admin' ORDER BY version",
  );
  expect(published.map((p) => p.permissions)).toEqual([today, before, today]);
  await waitFor(() => !h.service.roles.permissionsOf(null, "admin").includes("organization.*") || undefined, {
    what: "the changed admin definition to arrive",
  });
  expect(h.service.roles.permissionsOf(null, "admin")).toEqual(today);
  expect(permits(h.service.roles.permissionsOf(null, "admin"), "organization.delete")).toBe(false);
});

it("lets an owner define a role that grants exactly its permissions, in that organization only", async () => {
  const owner = await personIn("org_roles", "owner");
  const defined = await h.call("PUT", "/v1/organizations/org_roles/roles/deployer", {
    token: owner,
    body: { permissions: ["projects.deploy", "projects.read"], description: "CI deployers" },
  });
  expect([defined.status, defined.body.permissions]).toEqual([200, ["projects.deploy", "projects.read"]]);
  const deployer = await personIn("org_roles", "deployer");
  const me = await h.call("GET", "/v1/me", { token: deployer });
  expect(me.body.permissions).toEqual(["projects.deploy", "projects.read"]);
  const denied = await h.call("POST", "/v1/organizations/org_roles/api-keys", {
    token: deployer,
    body: { name: "x", scopes: ["projects.read"] },
  });
  expect([denied.status, denied.body.code]).toEqual([403, "permission_denied"]);
  // The same role name means nothing in another organization.
  const elsewhere = await personIn("org_roles_other", "deployer");
  expect((await h.call("GET", "/v1/me", { token: elsewhere })).body.permissions).toEqual([]);
  const listed = await h.call("GET", "/v1/organizations/org_roles/roles", { token: owner });
  expect(listed.body.data.find((r: { role: string }) => r.role === "deployer")).toMatchObject({
    custom: true,
  });
});

it("lets an organization narrow a default role for itself", async () => {
  const owner = await personIn("org_narrow", "owner");
  await h.call("PUT", "/v1/organizations/org_narrow/roles/member", {
    token: owner,
    body: { permissions: ["organization.read"] },
  });
  const member = await personIn("org_narrow", "member");
  expect((await h.call("GET", "/v1/me", { token: member })).body.permissions).toEqual(["organization.read"]);
  const memberElsewhere = await personIn("org_default", "member");
  expect((await h.call("GET", "/v1/me", { token: memberElsewhere })).body.permissions).toContain(
    "projects.*",
  );
});

it.each([
  [
    "an admin (roles.manage is the owner's)",
    "admin",
    "auditor",
    { permissions: ["audit.read"] },
    403,
    "permission_denied",
  ],
  ["the owner role", "owner", "owner", { permissions: ["organization.read"] }, 403, "role_reserved"],
  ["a malformed permission", "owner", "broken", { permissions: ["projects"] }, 400, "permissions_invalid"],
  ["no permission list", "owner", "broken", {}, 400, "permissions_invalid"],
  ["a malformed role name", "owner", "Bad-Name", { permissions: ["audit.read"] }, 400, "role_name_invalid"],
])("refuses %s and changes nothing", async (_case, callerRole, role, body, status, code) => {
  const accountId = `org_bad_roles_${role}_${status}_${code}`;
  const token = await personIn(accountId, callerRole);
  const res = await h.call("PUT", `/v1/organizations/${accountId}/roles/${role}`, { token, body });
  expect([res.status, res.body.code]).toEqual([status, code]);
  expect(await h.service.db.roleDefinition.count({ where: { accountId } })).toBe(0);
});
