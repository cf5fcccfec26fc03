import { coversGrant, DEFAULT_ROLES, grantsBeyond, intersectGrants } from "../src";

const admin = DEFAULT_ROLES.admin as readonly string[];
const member = DEFAULT_ROLES.member as readonly string[];

describe("what a person may hand on to a credential", () => {
  it.each([
    [["*"], "*", true],
    [["*"], "roles.manage", true],
    [admin, "*", false],
    [admin, "roles.manage", false],
    [admin, "roles.*", false],
    [admin, "members.*", true],
    [admin, "members.manage", true],
    [["members.read"], "members.*", false],
    [["members.read"], "members.read", true],
    [["members.*"], "members.invites.read", false],
    [["members.*"], "proj*", false],
  ] as const)("%j covers %s: %s", (held, grant, expected) => {
    expect(coversGrant(held, grant)).toBe(expected);
  });

  it("names every grant beyond the holder's, once", () => {
    expect(grantsBeyond(admin, ["*", "members.read", "roles.manage", "roles.manage"])).toEqual([
      "*",
      "roles.manage",
    ]);
    expect(grantsBeyond(admin, ["members.*", "api_keys.create"])).toEqual([]);
  });
});

describe("a credential's scope narrowed to its creator's rights", () => {
  it.each([
    [["*"], admin, [...admin].sort()],
    [["*"], ["*"], ["*"]],
    [["members.*"], ["members.read"], ["members.read"]],
    [["members.read", "roles.manage"], admin, ["members.read"]],
    [["roles.manage"], member, []],
    [["projects.*", "groups.*"], member, ["groups.read", "projects.*"]],
  ] as const)("%j ∩ %j = %j", (scope, held, expected) => {
    expect(intersectGrants(scope, held)).toEqual(expected);
    expect(intersectGrants(held, scope)).toEqual(expected);
  });
});
