import { hasFreeSeat, isProvisioningSource, refusalToAdd } from "../../src/domain/membership.js";

describe("refusalToAdd", () => {
  it.each([
    [true, true, "member_exists"],
    [true, false, "not_an_organization_member"],
    [false, true, null],
    [false, false, "not_an_organization_member"],
  ] as const)(
    "account level %s, organization member %s → %s",
    (groupIsAccount, isOrganizationMember, refusal) => {
      expect(refusalToAdd({ groupIsAccount, isOrganizationMember })).toBe(refusal);
    },
  );
});

describe("hasFreeSeat", () => {
  it.each([
    [{ limit: -1, members: 1_000, pending: 50 }, true],
    [{ limit: 5, members: 4, pending: 0 }, true],
    [{ limit: 5, members: 4, pending: 1 }, false],
    [{ limit: 5, members: 6, pending: 0 }, false],
    [{ limit: 0, members: 0, pending: 0 }, false],
  ])("%j → %s", (usage, free) => {
    expect(hasFreeSeat(usage)).toBe(free);
  });
});

describe("isProvisioningSource", () => {
  it.each([
    ["scim", true],
    ["saml", true],
    ["oidc", true],
    ["admin", false],
    ["SCIM", false],
    ["", false],
  ])("%s → %s", (source, known) => {
    expect(isProvisioningSource(source)).toBe(known);
  });
});
