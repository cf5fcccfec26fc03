import { PlatformError } from "@platform/errors";
import { isValidGrant, permits } from "../src";

describe("permits", () => {
  it.each<[string[], string, boolean]>([
    [["projects.read"], "projects.read", true],
    [["projects.read"], "projects.write", false],
    [["projects.*"], "projects.read", true],
    [["projects.*"], "projects.delete", true],
    [["projects.*"], "project.read", false],
    [["projects.*"], "projectsx.read", false],
    [["project.*"], "projects.read", false],
    [["*"], "projects.read", true],
    [["*"], "billing.invoices.read", true],
    [[], "projects.read", false],
    [["billing.invoices.*"], "billing.invoices.read", true],
    [["billing.invoices.read"], "billing.invoices.read", true],
    [["billing.*"], "billing.invoices.read", false],
    [["billing.*"], "billing.read", true],
    [["billing.invoices.*"], "billing.read", false],
    [["proj*"], "projects.read", false],
    [["projects.r*"], "projects.read", false],
    [["*.read"], "projects.read", false],
    [["projects"], "projects.read", false],
    [["Projects.read"], "projects.read", false],
    [["members.read", "projects.*"], "projects.archive", true],
    [["organization.read"], "organization.delete", false],
  ])("%j covers %s: %s", (granted, required, expected) => {
    expect(permits(granted, required)).toBe(expected);
  });

  it.each([
    "*",
    "projects",
    "projects.*",
    "projects.",
    ".read",
    "projects..read",
    "Projects.read",
    "projects.read ",
    "",
  ])("refuses %j as a required permission", (required) => {
    expect(() => permits(["*"], required)).toThrow(
      expect.objectContaining({ kind: "invalid_input", code: "invalid_permission" }),
    );
    expect(() => permits(["*"], required)).toThrow(PlatformError);
  });

  it("tells well-formed grants from malformed ones", () => {
    for (const grant of ["*", "projects.*", "projects.read", "billing.invoices.*", "api_keys.create"]) {
      expect(isValidGrant(grant)).toBe(true);
    }
    for (const grant of ["proj*", "*.read", "projects", "projects.**", "a.b c", "", "PROJECTS.read"]) {
      expect(isValidGrant(grant)).toBe(false);
    }
  });
});
