import {
  applyGroupPatch,
  applyUserPatch,
  parsePatchRequest,
  ScimError,
  type ScimPatchOperation,
} from "../../src/scim";
import { groupRecord, scimErrorOf, userRecord } from "./fixtures";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

function patchUser(body: unknown, record = userRecord()) {
  return applyUserPatch(record, parsePatchRequest(body));
}

function patchGroup(body: unknown, record = groupRecord()) {
  return applyGroupPatch(record, parsePatchRequest(body));
}

function operations(...ops: unknown[]) {
  return { schemas: [PATCH_OP], Operations: ops };
}

describe("parsePatchRequest", () => {
  it("lower-cases op names and keeps path and value", () => {
    expect(
      parsePatchRequest(
        operations(
          { op: "Replace", path: "active", value: "False" },
          { op: "ADD", path: "emails", value: [{ value: "a@example.com" }] },
          { op: "remove", path: 'members[value eq "1"]' },
          { op: "Remove", path: "members", value: [{ value: "2" }] },
          { op: "replace", value: { active: false } },
        ),
      ),
    ).toStrictEqual([
      { op: "replace", path: "active", value: "False" },
      { op: "add", path: "emails", value: [{ value: "a@example.com" }] },
      { op: "remove", path: 'members[value eq "1"]' },
      { op: "remove", path: "members", value: [{ value: "2" }] },
      { op: "replace", value: { active: false } },
    ]);
  });

  it("tolerates a missing schemas array", () => {
    expect(parsePatchRequest({ Operations: [{ op: "replace", path: "active", value: true }] })).toHaveLength(
      1,
    );
  });

  it.each([
    [null, "invalidSyntax", /JSON object/],
    [[], "invalidSyntax", /JSON object/],
    [{ schemas: [PATCH_OP] }, "invalidSyntax", /Operations must be a non-empty array/],
    [{ schemas: [PATCH_OP], Operations: [] }, "invalidSyntax", /Operations must be a non-empty array/],
    [
      { schemas: [PATCH_OP], Operations: { op: "add" } },
      "invalidSyntax",
      /Operations must be a non-empty array/,
    ],
    [
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], Operations: [{ op: "remove", path: "x" }] },
      "invalidSyntax",
      /schemas must include urn:ietf:params:scim:api:messages:2.0:PatchOp/,
    ],
    [operations("replace"), "invalidSyntax", /Operations\[0\]: each operation must be an object/],
    [operations({ path: "active", value: true }), "invalidSyntax", /op is required/],
    [operations({ op: "move", path: "active", value: true }), "invalidValue", /op "move" is not one of/],
    [operations({ op: "copy", path: "active" }), "invalidValue", /op "copy"/],
    [operations({ op: "replace", path: "active" }), "invalidValue", /replace needs a value/],
    [operations({ op: "add", path: 5, value: 1 }), "invalidPath", /path must be a string/],
    [operations({ op: "remove" }), "noTarget", /remove needs a path/],
    [operations({ op: "Remove", path: "" }), "noTarget", /remove needs a path/],
    [
      operations({ op: "add", path: "active", value: true }, { op: "remove", value: { active: true } }),
      "noTarget",
      /^Operations\[1\]: remove needs a path/,
    ],
  ])("rejects %j with %s", (body, scimType, detail) => {
    const error = scimErrorOf(() => parsePatchRequest(body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toMatch(detail);
  });
});

describe("applyUserPatch: Okta request shapes", () => {
  it("deactivates with a path-less replace", () => {
    const patched = patchUser({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(patched.active).toBe(false);
  });

  it("reactivates with a path-less replace", () => {
    const patched = patchUser(
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { active: true } }],
      },
      userRecord({ active: false }),
    );
    expect(patched.active).toBe(true);
  });
});

describe("applyUserPatch: Entra request shapes", () => {
  it('disables with "Replace" and the string "False"', () => {
    const patched = patchUser({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(patched.active).toBe(false);
  });

  it('enables with "True"', () => {
    const patched = patchUser(
      { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "True" }] },
      userRecord({ active: false }),
    );
    expect(patched.active).toBe(true);
  });

  it("disables with a path-less Replace", () => {
    expect(patchUser(operations({ op: "Replace", value: { active: false } })).active).toBe(false);
  });

  it("updates single-valued attributes", () => {
    const patched = patchUser({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: "userName", value: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" },
        {
          op: "Replace",
          path: "displayName",
          value: "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName",
        },
        { op: "Add", path: "externalId", value: "e5a1e6a2-4d0f-4e32-9bd8-2a7fcd5e3c6f" },
      ],
    });
    expect(patched.userName).toBe("5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
    expect(patched.displayName).toBe("1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");
    expect(patched.externalId).toBe("e5a1e6a2-4d0f-4e32-9bd8-2a7fcd5e3c6f");
  });

  it("updates the work email and family name through filtered and dotted paths", () => {
    const patched = patchUser({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
      ],
    });
    expect(patched.emails).toStrictEqual([
      { value: "updatedEmail@microsoft.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home", primary: false },
    ]);
    expect(patched.name).toStrictEqual({
      givenName: "Barbara",
      familyName: "updatedFamilyName",
      formatted: "Ms. Barbara J Jensen, III",
    });
  });

  it("adds a first work email through a filter that matches nothing", () => {
    const patched = patchUser(
      operations({ op: "Add", path: 'emails[type eq "work"].value', value: "new@example.com" }),
      userRecord({ emails: [] }),
    );
    expect(patched.emails).toStrictEqual([{ value: "new@example.com", type: "work", primary: false }]);
  });

  it("applies a path-less value whose keys are paths, skipping attributes not stored here", () => {
    const patched = patchUser(
      operations({
        op: "Add",
        value: {
          "name.givenName": "Barbie",
          'emails[type eq "work"].value': "barbie@example.com",
          title: "Tour Guide",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Tours",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { employeeNumber: "701984" },
        },
      }),
    );
    expect(patched.name.givenName).toBe("Barbie");
    expect(patched.emails[0]?.value).toBe("barbie@example.com");
  });

  it("skips Entra's default mappings for attributes this service does not store", () => {
    const record = userRecord();
    const patched = patchUser(
      operations(
        { op: "Add", path: "title", value: "Tour Guide" },
        { op: "Replace", path: 'phoneNumbers[type eq "work"].value', value: "555-555-5555" },
        { op: "Replace", path: 'addresses[type eq "work"].formatted', value: "100 Universal City Plaza" },
        {
          op: "Add",
          path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
          value: "x",
        },
        { op: "Replace", path: "preferredLanguage", value: "en-US" },
        { op: "Remove", path: "name.middleName" },
      ),
      record,
    );
    expect(patched).toStrictEqual(record);
  });
});

describe("applyUserPatch: paths", () => {
  it.each<[ScimPatchOperation, Partial<ReturnType<typeof userRecord>>]>([
    [{ op: "replace", path: "userName", value: "babs" }, { userName: "babs" }],
    [{ op: "add", path: "displayName", value: "Babs" }, { displayName: "Babs" }],
    [{ op: "remove", path: "displayName" }, { displayName: null }],
    [{ op: "remove", path: "externalId" }, { externalId: null }],
    [{ op: "replace", path: "externalId", value: null }, { externalId: null }],
    [{ op: "replace", path: "active", value: false }, { active: false }],
    [{ op: "replace", path: "ACTIVE", value: "false" }, { active: false }],
    [
      { op: "replace", path: "urn:ietf:params:scim:schemas:core:2.0:User:userName", value: "qualified" },
      { userName: "qualified" },
    ],
    [
      { op: "add", path: "name.givenName", value: "Babs" },
      { name: { givenName: "Babs", familyName: "Jensen", formatted: "Ms. Barbara J Jensen, III" } },
    ],
    [
      { op: "remove", path: "name.formatted" },
      { name: { givenName: "Barbara", familyName: "Jensen", formatted: null } },
    ],
    [
      { op: "replace", path: "name", value: { givenName: "B" } },
      { name: { givenName: "B", familyName: "Jensen", formatted: "Ms. Barbara J Jensen, III" } },
    ],
    [{ op: "remove", path: "name" }, { name: { givenName: null, familyName: null, formatted: null } }],
  ])("%j", (operation, expected) => {
    expect(applyUserPatch(userRecord(), [operation])).toStrictEqual({ ...userRecord(), ...expected });
  });

  it.each([
    ["nmae.givenName", /"nmae.givenName" is not an attribute of a User/],
    ["members", /not an attribute of a User/],
    ["urn:ietf:params:scim:schemas:core:2.0:Group:displayName", /not an attribute of a User/],
    ["name.nickName", /not an attribute of a User/],
    ["emails[type eq]", /not a valid filter/],
    ['emails[type eq "work"', /is not a valid path/],
    ['emails[title eq "work"].value', /not supported/],
    ['name[givenName eq "x"]', /only to multi-valued attributes/],
    ["emails.value", /select values with a filter/],
    ["user name", /is not a valid path/],
    ["name..givenName", /is not a valid path/],
    ['emails.value[type eq "work"]', /value filter follows the multi-valued attribute/],
  ])("rejects the path %j with 400 invalidPath", (path, detail) => {
    const error = scimErrorOf(() => applyUserPatch(userRecord(), [{ op: "replace", path, value: "x" }]));
    expect(error).toMatchObject({ status: 400, scimType: "invalidPath" });
    expect(error.detail).toMatch(detail);
  });

  it("names the failing operation in the detail", () => {
    const error = scimErrorOf(() =>
      patchUser(
        operations({ op: "replace", path: "active", value: true }, { op: "add", path: "bogus", value: 1 }),
      ),
    );
    expect(error.detail).toMatch(/^Operations\[1\] \(add bogus\): /);
  });
});

describe("applyUserPatch: read-only and required attributes", () => {
  it.each<ScimPatchOperation>([
    { op: "replace", path: "id", value: "another-id" },
    { op: "remove", path: "id" },
    { op: "replace", path: "meta", value: { version: 'W/"9"' } },
    { op: "replace", path: "meta.lastModified", value: "2020-01-01T00:00:00Z" },
    { op: "replace", value: { id: "another-id" } },
    { op: "add", value: { meta: { created: "2020-01-01T00:00:00Z" } } },
  ])("rejects %j with 400 mutability", (operation) => {
    expect(scimErrorOf(() => applyUserPatch(userRecord(), [operation]))).toMatchObject({
      status: 400,
      scimType: "mutability",
    });
  });

  it("accepts the resource's own id repeated in a path-less value, as Okta sends it", () => {
    const record = userRecord();
    const patched = applyUserPatch(record, [{ op: "replace", value: { id: record.id, displayName: "B" } }]);
    expect(patched.displayName).toBe("B");
    expect(patched.id).toBe(record.id);
  });

  it.each(["userName", "active"])("refuses to remove %s, which the record cannot leave unset", (path) => {
    expect(scimErrorOf(() => applyUserPatch(userRecord(), [{ op: "remove", path }])).scimType).toBe(
      "invalidValue",
    );
  });

  it.each([
    [{ op: "replace", path: "userName", value: "" }, /userName is required/],
    [{ op: "replace", path: "userName", value: "x".repeat(257) }, /at most 256/],
    [{ op: "replace", path: "active", value: "maybe" }, /active must be true or false/],
    [{ op: "replace", path: "active", value: null }, /active must be true or false/],
    [{ op: "add", path: "emails", value: [{ value: "nope" }] }, /is not an email/],
    [{ op: "replace", path: 'emails[type eq "work"].value', value: 42 }, /must be a string/],
    [{ op: "replace", value: "active=false" }, /without a path needs an object value/],
    [{ op: "replace", path: "name", value: "Barbara" }, /name must be an object/],
  ] as [ScimPatchOperation, RegExp][])("rejects %j with 400 invalidValue", (operation, detail) => {
    const error = scimErrorOf(() => applyUserPatch(userRecord(), [operation]));
    expect(error).toMatchObject({ status: 400, scimType: "invalidValue" });
    expect(error.detail).toMatch(detail);
  });
});

describe("applyUserPatch: emails", () => {
  it("adds emails, ignoring one already present", () => {
    const patched = applyUserPatch(userRecord(), [
      {
        op: "add",
        path: "emails",
        value: [
          { value: "BJENSEN@example.com", type: "work" },
          { value: "other@example.com", type: "other" },
        ],
      },
    ]);
    expect(patched.emails.map((email) => email.value)).toStrictEqual([
      "BJENSEN@example.com",
      "babs@jensen.org",
      "other@example.com",
    ]);
  });

  it('keeps one primary: a new primary "true" email demotes the old one', () => {
    const patched = applyUserPatch(userRecord(), [
      { op: "add", path: "emails", value: [{ value: "new@example.com", type: "work", primary: "true" }] },
    ]);
    expect(patched.emails.filter((email) => email.primary).map((email) => email.value)).toStrictEqual([
      "new@example.com",
    ]);
  });

  it("moves primary through a filtered sub-attribute path", () => {
    const patched = applyUserPatch(userRecord(), [
      { op: "replace", path: 'emails[type eq "home"].primary', value: true },
    ]);
    expect(patched.emails).toStrictEqual([
      { value: "bjensen@example.com", type: "work", primary: false },
      { value: "babs@jensen.org", type: "home", primary: true },
    ]);
  });

  it("replaces all emails", () => {
    const patched = applyUserPatch(userRecord(), [
      { op: "replace", path: "emails", value: [{ value: "only@example.com", primary: true }] },
    ]);
    expect(patched.emails).toStrictEqual([{ value: "only@example.com", type: null, primary: true }]);
  });

  it("removes emails by filter, and all of them without one", () => {
    expect(
      applyUserPatch(userRecord(), [{ op: "remove", path: 'emails[type eq "work"]' }]).emails,
    ).toStrictEqual([{ value: "babs@jensen.org", type: "home", primary: false }]);
    expect(applyUserPatch(userRecord(), [{ op: "remove", path: "emails" }]).emails).toStrictEqual([]);
  });

  it("removes the email whose value is removed", () => {
    const patched = applyUserPatch(userRecord(), [{ op: "remove", path: 'emails[type eq "work"].value' }]);
    expect(patched.emails.map((email) => email.type)).toStrictEqual(["home"]);
  });

  it("removes a sub-attribute of the selected emails", () => {
    const patched = applyUserPatch(userRecord(), [{ op: "remove", path: 'emails[type eq "work"].type' }]);
    expect(patched.emails[0]).toStrictEqual({ value: "bjensen@example.com", type: null, primary: true });
  });

  it("merges a replace through a filter into the selected emails", () => {
    const patched = applyUserPatch(userRecord(), [
      { op: "replace", path: 'emails[value co "jensen.org"]', value: { type: "other" } },
    ]);
    expect(patched.emails[1]).toStrictEqual({ value: "babs@jensen.org", type: "other", primary: false });
  });

  it("answers noTarget when a replace filter matches nothing", () => {
    const error = scimErrorOf(() =>
      applyUserPatch(userRecord(), [
        { op: "replace", path: 'emails[type eq "other"].value', value: "x@y.z" },
      ]),
    );
    expect(error).toMatchObject({ status: 400, scimType: "noTarget" });
  });

  it("succeeds when a remove filter matches nothing, so retries are harmless", () => {
    const record = userRecord();
    expect(applyUserPatch(record, [{ op: "remove", path: 'emails[type eq "other"]' }])).toStrictEqual(record);
  });
});

describe("applyUserPatch: atomicity", () => {
  it("applies nothing when the second operation fails, and never changes its input", () => {
    const record = userRecord();
    const snapshot = structuredClone(record);
    const error = scimErrorOf(() =>
      applyUserPatch(record, [
        { op: "replace", path: "displayName", value: "Changed" },
        { op: "replace", path: "id", value: "new-id" },
      ]),
    );
    expect(error.scimType).toBe("mutability");
    expect(record).toStrictEqual(snapshot);
  });

  it("applies nothing when a later operation leaves the resource invalid", () => {
    const record = userRecord();
    const snapshot = structuredClone(record);
    expect(() =>
      applyUserPatch(record, [
        { op: "add", path: "emails", value: [{ value: "more@example.com" }] },
        { op: "replace", path: "name.givenName", value: "Babs" },
        { op: "replace", path: "userName", value: "" },
      ]),
    ).toThrow(ScimError);
    expect(record).toStrictEqual(snapshot);
  });

  it("returns a new record that shares no mutable state with the input", () => {
    const record = userRecord();
    const patched = applyUserPatch(record, [{ op: "replace", path: "name.givenName", value: "Babs" }]);
    expect(patched).not.toBe(record);
    expect(patched.name).not.toBe(record.name);
    expect(patched.emails).not.toBe(record.emails);
    expect(record.name.givenName).toBe("Barbara");
  });

  it("leaves id, created, lastModified and version to the caller", () => {
    const record = userRecord();
    const patched = applyUserPatch(record, [{ op: "replace", path: "displayName", value: "B" }]);
    expect(patched.id).toBe(record.id);
    expect(patched.created).toBe(record.created);
    expect(patched.lastModified).toBe(record.lastModified);
    expect(patched.version).toBe(record.version);
  });

  it("applies operations in order", () => {
    const patched = applyUserPatch(userRecord(), [
      { op: "replace", path: "displayName", value: "first" },
      { op: "replace", path: "displayName", value: "second" },
      { op: "remove", path: "externalId" },
      { op: "add", path: "externalId", value: "third" },
    ]);
    expect(patched.displayName).toBe("second");
    expect(patched.externalId).toBe("third");
  });
});

describe("applyGroupPatch", () => {
  const [babs, mandy] = groupRecord().members.map((member) => member.value) as [string, string];

  it("adds members the way Okta does", () => {
    const patched = patchGroup({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        {
          op: "add",
          path: "members",
          value: [{ value: "23a35c27-23d3-4c03-b4c5-6443c09e7173", display: "test.user@okta.local" }],
        },
      ],
    });
    expect(patched.members).toStrictEqual([
      ...groupRecord().members,
      { value: "23a35c27-23d3-4c03-b4c5-6443c09e7173", display: "test.user@okta.local" },
    ]);
  });

  it("removes a member by filter the way Okta does", () => {
    const patched = patchGroup({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "remove", path: `members[value eq "${babs}"]` }],
    });
    expect(patched.members.map((member) => member.value)).toStrictEqual([mandy]);
  });

  it("renames the way Okta does, with the group's id in the value", () => {
    const record = groupRecord();
    const patched = patchGroup(
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { id: record.id, displayName: "Test SCIMv2" } }],
      },
      record,
    );
    expect(patched.displayName).toBe("Test SCIMv2");
  });

  it("adds and removes members the way Entra does", () => {
    const added = patchGroup({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Add", path: "members", value: [{ value: "6093d11c-8a6b-4e62-8d4e-63f7d84fb3b2" }] },
      ],
    });
    expect(added.members.at(-1)).toStrictEqual({
      value: "6093d11c-8a6b-4e62-8d4e-63f7d84fb3b2",
      display: null,
    });

    const removed = patchGroup(
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [
          {
            op: "Remove",
            path: "members",
            value: [{ value: "6093d11c-8a6b-4e62-8d4e-63f7d84fb3b2" }, { value: babs }],
          },
        ],
      },
      added,
    );
    expect(removed.members.map((member) => member.value)).toStrictEqual([mandy]);
  });

  it("renames the way Entra does", () => {
    const patched = patchGroup({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        {
          op: "Replace",
          path: "displayName",
          value: "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName",
        },
      ],
    });
    expect(patched.displayName).toBe("1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");
  });

  it("does not duplicate a member added twice, and ignores $ref and type", () => {
    const patched = applyGroupPatch(groupRecord(), [
      { op: "add", path: "members", value: [{ value: babs, $ref: `https://x/Users/${babs}`, type: "User" }] },
      { op: "add", path: "members", value: { value: "single" } },
    ]);
    expect(patched.members.map((member) => member.value)).toStrictEqual([babs, mandy, "single"]);
  });

  it("compares member ids exactly", () => {
    const patched = applyGroupPatch(groupRecord(), [
      { op: "remove", path: "members", value: [{ value: babs.toUpperCase() }] },
    ]);
    expect(patched.members).toHaveLength(2);
  });

  it("replaces and clears members", () => {
    expect(
      applyGroupPatch(groupRecord(), [{ op: "replace", path: "members", value: [{ value: "x" }] }]).members,
    ).toStrictEqual([{ value: "x", display: null }]);
    expect(applyGroupPatch(groupRecord(), [{ op: "remove", path: "members" }]).members).toStrictEqual([]);
  });

  it("removing a member who is not there succeeds", () => {
    const record = groupRecord();
    expect(applyGroupPatch(record, [{ op: "remove", path: 'members[value eq "gone"]' }])).toStrictEqual(
      record,
    );
  });

  it.each<[ScimPatchOperation, string]>([
    [{ op: "remove", path: "displayName" }, "invalidValue"],
    [{ op: "replace", path: "displayName", value: "" }, "invalidValue"],
    [{ op: "replace", path: "userName", value: "x" }, "invalidPath"],
    [{ op: "add", path: "members", value: [{ display: "no value" }] }, "invalidValue"],
    [{ op: "add", path: "members", value: ["raw-id"] }, "invalidValue"],
    [{ op: "add", path: "members", value: [null] }, "invalidValue"],
    [{ op: "remove", path: "members", value: [null] }, "invalidValue"],
    [{ op: "replace", path: `members[value eq "${babs}"]`, value: null }, "invalidValue"],
    [{ op: "replace", path: `members[value eq "${babs}"].value`, value: "other" }, "mutability"],
    [{ op: "replace", path: 'members[value eq "gone"].display', value: "x" }, "noTarget"],
    [{ op: "replace", path: "meta.version", value: 'W/"5"' }, "mutability"],
  ])("rejects %j with %s", (operation, scimType) => {
    const record = groupRecord();
    const snapshot = structuredClone(record);
    expect(scimErrorOf(() => applyGroupPatch(record, [operation])).scimType).toBe(scimType);
    expect(record).toStrictEqual(snapshot);
  });

  it("applies nothing when the second operation fails", () => {
    const record = groupRecord();
    const snapshot = structuredClone(record);
    expect(() =>
      applyGroupPatch(record, [
        { op: "add", path: "members", value: [{ value: "new" }] },
        { op: "replace", path: "id", value: "other" },
      ]),
    ).toThrow(ScimError);
    expect(record).toStrictEqual(snapshot);
  });
});
