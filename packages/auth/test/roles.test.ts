import { DEFAULT_ROLES, permits, RoleCatalog } from "../src";

describe("RoleCatalog", () => {
  it("starts with the platform roles", () => {
    const catalog = new RoleCatalog();
    expect(catalog.permissionsOf("acct-1", "owner")).toEqual(["*"]);
    expect(catalog.permissionsOf(null, "viewer")).toEqual(DEFAULT_ROLES.viewer);

    const admin = catalog.permissionsOf("acct-1", "admin");
    expect(permits(admin, "members.invite")).toBe(true);
    expect(permits(admin, "billing.read")).toBe(true);
    expect(permits(admin, "billing.update")).toBe(false);
    expect(permits(admin, "projects.read")).toBe(true);
    expect(permits(admin, "roles.manage")).toBe(false);
    // Closing is final: the owner's decision, not an admin's.
    expect(permits(admin, "organization.update")).toBe(true);
    expect(permits(admin, "organization.delete")).toBe(false);
    expect(permits(catalog.permissionsOf("acct-1", "owner"), "organization.delete")).toBe(true);

    const billing = catalog.permissionsOf("acct-1", "billing_manager");
    expect(permits(billing, "billing.update")).toBe(true);
    expect(permits(billing, "members.read")).toBe(false);

    const member = catalog.permissionsOf("acct-1", "member");
    expect(permits(member, "projects.create")).toBe(true);
    expect(permits(member, "members.remove")).toBe(false);
  });

  it("gives an unknown role no permissions", () => {
    expect(new RoleCatalog().permissionsOf("acct-1", "superuser")).toEqual([]);
  });

  it("lets an account's definition win over the platform one, for that account only", () => {
    const catalog = new RoleCatalog();
    catalog.define("acct-1", "viewer", ["projects.read"]);
    catalog.define("acct-1", "auditor", ["audit.read"]);

    expect(catalog.permissionsOf("acct-1", "viewer")).toEqual(["projects.read"]);
    expect(catalog.permissionsOf("acct-2", "viewer")).toEqual(DEFAULT_ROLES.viewer);
    expect(catalog.permissionsOf("acct-1", "auditor")).toEqual(["audit.read"]);
    expect(catalog.permissionsOf("acct-2", "auditor")).toEqual([]);

    catalog.remove("acct-1", "viewer");
    expect(catalog.permissionsOf("acct-1", "viewer")).toEqual(DEFAULT_ROLES.viewer);
  });

  it("applies RoleDefined events, platform-wide and per account", () => {
    const catalog = new RoleCatalog();
    catalog.apply({ account_id: null, role: "member", permissions: ["projects.read"], description: null });
    catalog.apply({ account_id: "acct-9", role: "member", permissions: ["projects.*"], description: "x" });

    expect(catalog.permissionsOf("acct-1", "member")).toEqual(["projects.read"]);
    expect(catalog.permissionsOf("acct-9", "member")).toEqual(["projects.*"]);
  });

  it("refuses malformed definitions, so a consumer dead-letters them", () => {
    const catalog = new RoleCatalog();
    expect(() => catalog.define("acct-1", "x", ["proj*"])).toThrow(
      expect.objectContaining({ kind: "invalid_input", code: "invalid_permission" }),
    );
    expect(() => catalog.define("acct-1", "", ["projects.read"])).toThrow(
      expect.objectContaining({ code: "invalid_role" }),
    );
    expect(() => catalog.apply({ account_id: null, role: "x" } as never)).toThrow(
      expect.objectContaining({ code: "invalid_role" }),
    );
    expect(catalog.permissionsOf("acct-1", "x")).toEqual([]);
  });

  it("hands out definitions nobody can change behind its back", () => {
    const catalog = new RoleCatalog();
    const permissions = ["projects.read"];
    catalog.define(null, "reader", permissions);
    permissions.push("*");
    expect(catalog.permissionsOf(null, "reader")).toEqual(["projects.read"]);
    expect(Object.isFrozen(catalog.permissionsOf(null, "reader"))).toBe(true);
  });
});
