import { parseGroupInput, parseUserInput, toScimGroup, toScimUser } from "../../src/scim";
import { BASE_URL, groupRecord, scimErrorOf, userRecord } from "./fixtures";

describe("toScimUser", () => {
  it("renders the core User representation with meta", () => {
    expect(toScimUser(userRecord(), BASE_URL)).toStrictEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: "2819c223-7f76-453a-919d-413861904646",
      externalId: "00ujl29u0le5T6Aj10h7",
      userName: "bjensen@example.com",
      name: { givenName: "Barbara", familyName: "Jensen", formatted: "Ms. Barbara J Jensen, III" },
      displayName: "Babs Jensen",
      active: true,
      emails: [
        { value: "bjensen@example.com", type: "work", primary: true },
        { value: "babs@jensen.org", type: "home", primary: false },
      ],
      meta: {
        resourceType: "User",
        created: "2010-01-23T04:56:22.000Z",
        lastModified: "2011-05-13T04:42:34.000Z",
        location: "https://id.example.com/scim/v2/Users/2819c223-7f76-453a-919d-413861904646",
        version: 'W/"3"',
      },
    });
  });

  it("leaves unassigned attributes out instead of sending nulls", () => {
    const user = toScimUser(
      userRecord({
        externalId: null,
        displayName: null,
        name: { givenName: null, familyName: null, formatted: null },
        emails: [{ value: "x@example.com", type: null, primary: false }],
      }),
      BASE_URL,
    );
    expect(user).not.toHaveProperty("externalId");
    expect(user).not.toHaveProperty("displayName");
    expect(user).not.toHaveProperty("name");
    expect(user.emails).toStrictEqual([{ value: "x@example.com", primary: false }]);
    expect(JSON.stringify(user)).not.toContain("null");
  });

  it("joins the location without a double slash and escapes the id", () => {
    const user = toScimUser(userRecord({ id: "a/b" }), `${BASE_URL}/`);
    expect(user.meta.location).toBe("https://id.example.com/scim/v2/Users/a%2Fb");
  });
});

describe("toScimGroup", () => {
  it("renders the core Group representation with meta", () => {
    expect(toScimGroup(groupRecord({ members: [{ value: "m1", display: null }] }), BASE_URL)).toStrictEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      id: "e9e30dba-f08f-4109-8486-d5c6a331660a",
      displayName: "Tour Guides",
      members: [{ value: "m1" }],
      meta: {
        resourceType: "Group",
        created: "2010-01-23T04:56:22.000Z",
        lastModified: "2011-05-13T04:42:34.000Z",
        location: "https://id.example.com/scim/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
        version: 'W/"1"',
      },
    });
  });
});

describe("parseUserInput", () => {
  it("accepts Okta's create-user body (password, locale and groups are ignored)", () => {
    const input = parseUserInput({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "test.user@okta.local",
      name: { givenName: "Test", familyName: "User" },
      emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
      displayName: "Test User",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    });
    expect(input).toStrictEqual({
      userName: "test.user@okta.local",
      externalId: "00ujl29u0le5T6Aj10h7",
      active: true,
      displayName: "Test User",
      name: { givenName: "Test", familyName: "User", formatted: null },
      emails: [{ value: "test.user@okta.local", type: "work", primary: true }],
    });
  });

  it("accepts Entra's create-user body (enterprise extension, meta and roles are ignored)", () => {
    const input = parseUserInput({
      schemas: [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
      ],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      active: true,
      emails: [
        { primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" },
      ],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Sales" },
    });
    expect(input.userName).toBe("Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1");
    expect(input.name).toStrictEqual({
      givenName: "givenName",
      familyName: "familyName",
      formatted: "givenName familyName",
    });
    expect(input.emails).toHaveLength(1);
  });

  it.each([
    ["False", false],
    ["false", false],
    ["FALSE", false],
    ["True", true],
    ["true", true],
    [false, false],
  ])("reads active %j as %s", (active, expected) => {
    expect(parseUserInput({ userName: "u", active }).active).toBe(expected);
  });

  it("defaults active to true and leaves absent attributes unset, as PUT replaces them", () => {
    expect(parseUserInput({ userName: "u" })).toStrictEqual({
      userName: "u",
      externalId: null,
      active: true,
      displayName: null,
      name: { givenName: null, familyName: null, formatted: null },
      emails: [],
    });
  });

  it('reads "primary": "true" strings on emails', () => {
    const input = parseUserInput({ userName: "u", emails: [{ value: "u@example.com", primary: "true" }] });
    expect(input.emails).toStrictEqual([{ value: "u@example.com", type: null, primary: true }]);
  });

  it("tolerates a missing schemas array and matches attribute names case-insensitively", () => {
    const input = parseUserInput({ USERNAME: "u", DisplayName: "You", Name: { GIVENNAME: "Y" } });
    expect(input.userName).toBe("u");
    expect(input.displayName).toBe("You");
    expect(input.name.givenName).toBe("Y");
  });

  it("ignores read-only attributes such as id and meta", () => {
    const input = parseUserInput({ id: "chosen-by-client", meta: { version: 'W/"9"' }, userName: "u" });
    expect(input).not.toHaveProperty("id");
    expect(input).not.toHaveProperty("meta");
  });

  it.each([
    [{}, "invalidValue", /userName is required/],
    [{ userName: "" }, "invalidValue", /userName is required/],
    [{ userName: "   " }, "invalidValue", /userName is required/],
    [{ userName: 42 }, "invalidValue", /userName must be a string/],
    [{ userName: "x".repeat(257) }, "invalidValue", /at most 256/],
    [{ userName: "u", active: "yes" }, "invalidValue", /active must be true or false/],
    [{ userName: "u", active: 1 }, "invalidValue", /active must be true or false/],
    [
      { userName: "u", emails: [{ value: "not-an-email" }] },
      "invalidValue",
      /emails\[0\].value .* is not an email/,
    ],
    [{ userName: "u", emails: [{ type: "work" }] }, "invalidValue", /emails\[0\].value is required/],
    [{ userName: "u", emails: { value: "u@example.com" } }, "invalidValue", /emails must be an array/],
    [{ userName: "u", emails: ["u@example.com"] }, "invalidValue", /emails\[0\] must be an object/],
    [
      {
        userName: "u",
        emails: [
          { value: "a@example.com", primary: true },
          { value: "b@example.com", primary: "True" },
        ],
      },
      "invalidValue",
      /at most one email may be primary/,
    ],
    [{ userName: "u", name: "Barbara Jensen" }, "invalidValue", /name must be an object/],
    [{ userName: "u", schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"] }, "invalidSyntax", /schemas/],
    [{ userName: "u", schemas: "urn:ietf:params:scim:schemas:core:2.0:User" }, "invalidSyntax", /schemas/],
  ])("rejects %j with %s", (body, scimType, detail) => {
    const error = scimErrorOf(() => parseUserInput(body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toMatch(detail);
  });

  it.each([null, "userName=u", [{ userName: "u" }], 7])(
    "rejects a body that is not an object: %j",
    (body) => {
      expect(scimErrorOf(() => parseUserInput(body)).scimType).toBe("invalidSyntax");
    },
  );

  it("accepts a userName of exactly 256 characters", () => {
    expect(parseUserInput({ userName: "x".repeat(256) }).userName).toHaveLength(256);
  });
});

describe("parseGroupInput", () => {
  it("accepts Okta's create-group body", () => {
    expect(
      parseGroupInput({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName: "Test SCIMv2",
        members: [],
      }),
    ).toStrictEqual({ displayName: "Test SCIMv2", externalId: null, members: [] });
  });

  it("accepts Entra's create-group body", () => {
    expect(
      parseGroupInput({
        externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        displayName: "displayName",
        meta: { resourceType: "Group" },
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      }),
    ).toStrictEqual({
      displayName: "displayName",
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      members: [],
    });
  });

  it("keeps members' value and display, ignores $ref and type, and drops repeats", () => {
    const input = parseGroupInput({
      displayName: "g",
      members: [
        { value: "u1", display: "One", $ref: "https://x/Users/u1", type: "User" },
        { value: "u2" },
        { value: "u1", display: "One" },
      ],
    });
    expect(input.members).toStrictEqual([
      { value: "u1", display: "One" },
      { value: "u2", display: null },
    ]);
  });

  it.each([
    [{}, /displayName is required/],
    [{ displayName: " " }, /displayName is required/],
    [{ displayName: "g", members: [{ display: "no value" }] }, /members\[0\].value is required/],
    [{ displayName: "g", members: [{ value: 5 }] }, /members\[0\].value must be a string/],
    [{ displayName: "g", members: "u1" }, /members must be an array/],
  ])("rejects %j", (body, detail) => {
    const error = scimErrorOf(() => parseGroupInput(body));
    expect(error.scimType).toBe("invalidValue");
    expect(error.detail).toMatch(detail);
  });

  it("rejects a User schema on a Group", () => {
    const error = scimErrorOf(() =>
      parseGroupInput({ displayName: "g", schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"] }),
    );
    expect(error.scimType).toBe("invalidSyntax");
  });
});
