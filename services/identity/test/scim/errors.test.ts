import { httpStatusOf, PlatformError } from "@platform/errors";
import { ScimError, scimErrorBody } from "../../src/scim";

describe("ScimError", () => {
  it.each([
    [ScimError.invalidFilter("f"), 400, "invalidFilter"],
    [ScimError.invalidPath("f"), 400, "invalidPath"],
    [ScimError.invalidValue("f"), 400, "invalidValue"],
    [ScimError.invalidSyntax("f"), 400, "invalidSyntax"],
    [ScimError.noTarget("f"), 400, "noTarget"],
    [ScimError.mutability("f"), 400, "mutability"],
    [ScimError.tooMany("f"), 400, "tooMany"],
    [ScimError.uniqueness("f"), 409, "uniqueness"],
    [ScimError.notFound("f"), 404, undefined],
  ])("%#: carries status %s and scimType %s", (error, status, scimType) => {
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toBe("f");
  });

  it("is classified by the platform like any other error, with the same HTTP status", () => {
    const conflict = ScimError.uniqueness("userName bjensen is taken");
    expect(conflict).toBeInstanceOf(PlatformError);
    expect(httpStatusOf(conflict)).toBe(409);
    expect(conflict.code).toBe("scim_uniqueness");
    expect(httpStatusOf(ScimError.notFound("no such user"))).toBe(404);
    expect(httpStatusOf(ScimError.invalidFilter("bad"))).toBe(400);
  });
});

describe("scimErrorBody", () => {
  it("renders RFC 7644 §3.12 with the status as a string", () => {
    expect(scimErrorBody(ScimError.invalidFilter('"userName eq" is not a valid filter'))).toStrictEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "400",
      scimType: "invalidFilter",
      detail: '"userName eq" is not a valid filter',
    });
  });

  it("leaves scimType out when there is none", () => {
    const body = scimErrorBody(ScimError.notFound("User 42 not found"));
    expect(body).toStrictEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "404",
      detail: "User 42 not found",
    });
    expect("scimType" in body).toBe(false);
  });

  it("serialises as JSON a SCIM client can read", () => {
    const json = JSON.parse(JSON.stringify(scimErrorBody(ScimError.uniqueness("taken"))));
    expect(json.status).toBe("409");
    expect(json.scimType).toBe("uniqueness");
  });
});
