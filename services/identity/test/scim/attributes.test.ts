import { parseExcludedAttributes, ScimError, toScimUser, withoutAttributes } from "../../src/scim";
import { BASE_URL, userRecord } from "./fixtures";

const user = toScimUser(userRecord(), BASE_URL);
const without = (query: unknown) => withoutAttributes(user, parseExcludedAttributes(query));

describe("excludedAttributes (RFC 7644 §3.4.2.5)", () => {
  it("returns everything when nothing is excluded", () => {
    expect(without(undefined)).toStrictEqual(user);
    expect(without(" , ")).toStrictEqual(user);
  });

  it("drops top-level attributes whatever their case", () => {
    const shaped = without("EMAILS,displayname");
    expect(Object.keys(shaped)).toEqual(
      Object.keys(user).filter((k) => k !== "emails" && k !== "displayName"),
    );
  });

  it("drops sub-attributes of complex and multi-valued attributes", () => {
    const shaped = without("name.givenName,emails.type");
    expect(shaped.name).toStrictEqual({ familyName: "Jensen", formatted: "Ms. Barbara J Jensen, III" });
    expect(shaped.emails?.every((email) => !("type" in email) && "value" in email)).toBe(true);
  });

  it("reads paths qualified by their schema URN", () => {
    const shaped = without("urn:ietf:params:scim:schemas:core:2.0:User:userName");
    expect(shaped.userName).toBeUndefined();
  });

  it("never drops id or schemas", () => {
    expect(without("id,schemas,meta")).toMatchObject({ id: user.id, schemas: user.schemas });
    expect(without("id,schemas,meta").meta).toBeUndefined();
  });

  it("refuses a repeated parameter", () => {
    expect(() => parseExcludedAttributes(["emails", "name"])).toThrow(ScimError);
  });
});
