/** The role definition rules, pure: what is refused, and the version a definition appends after. */
import type { Principal } from "@platform/auth";
import { decideRoleDefinition, roleAggregateId } from "../../src/domain/roles";

const definer = (permissions: string[]): Principal => ({
  kind: "user",
  subject: "usr_1",
  sessionId: "ses_1",
  accountId: "org_1",
  role: "admin",
  permissions,
});

const command = (role: string, permissions: unknown, held = ["*"]) => ({
  accountId: "org_1",
  role,
  permissions,
  description: "d",
  principal: definer(held),
});

it.each([
  ["a bad name", command("Deployer", ["projects.read"]), "role_name_invalid"],
  ["the owner role", command("owner", ["projects.read"]), "role_reserved"],
  ["permissions that are not strings", command("deployer", [1]), "permissions_invalid"],
  [
    "more than the definer holds",
    command("deployer", ["projects.deploy"], ["projects.read"]),
    "grant_exceeds_own_permissions",
  ],
])("refuses %s", (_, input, code) => {
  expect(() => decideRoleDefinition(null, input)).toThrow(expect.objectContaining({ code }));
});

it("appends a new role at version 0 and a redefinition after the state's version, without duplicates", () => {
  const input = command("deployer", ["projects.read", "projects.read", "projects.deploy"]);
  expect(decideRoleDefinition(null, input)).toEqual({
    expectedVersion: 0,
    event: {
      account_id: "org_1",
      role: "deployer",
      permissions: ["projects.read", "projects.deploy"],
      description: "d",
    },
  });
  expect(decideRoleDefinition({ version: 3 }, input).expectedVersion).toBe(3);
  expect([roleAggregateId("org_1", "deployer"), roleAggregateId(null, "admin")]).toEqual([
    "role:org_1:deployer",
    "role:platform:admin",
  ]);
});
