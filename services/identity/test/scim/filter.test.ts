import { matchesFilter, parseFilter, toScimGroup, toScimUser } from "../../src/scim";
import { BASE_URL, groupRecord, scimErrorOf, userRecord } from "./fixtures";

// userName bjensen@example.com, externalId 00ujl29u0le5T6Aj10h7, active, displayName "Babs Jensen",
// name Barbara Jensen, emails bjensen@example.com (work, primary) and babs@jensen.org (home),
// lastModified 2011-05-13T04:42:34Z.
const babs = toScimUser(userRecord(), BASE_URL);
const bare = toScimUser(
  userRecord({
    id: "bare",
    userName: "bare",
    externalId: null,
    displayName: null,
    active: false,
    name: { givenName: null, familyName: null, formatted: null },
    emails: [],
  }),
  BASE_URL,
);
const tourGuides = toScimGroup(groupRecord(), BASE_URL);

function matches(filter: string, resource: unknown = babs): boolean {
  return matchesFilter(parseFilter(filter), resource);
}

describe("matchesFilter: comparison operators", () => {
  it.each([
    // eq
    ['userName eq "bjensen@example.com"', true],
    ['userName eq "BJensen@Example.COM"', true],
    ['userName eq "bjensen"', false],
    ['displayName eq "babs jensen"', true],
    // ne
    ['userName ne "someone@example.com"', true],
    ['userName ne "BJENSEN@example.com"', false],
    // co
    ['userName co "jensen@"', true],
    ['userName co "JENSEN@"', true],
    ['userName co "smith"', false],
    ['emails.value co "@example.com"', true],
    ['emails.value co "@elsewhere.com"', false],
    // sw
    ['userName sw "bjen"', true],
    ['name.familyName sw "J"', true],
    ['name.familyName sw "j"', true],
    ['name.familyName sw "S"', false],
    // ew
    ['userName ew ".com"', true],
    ['userName ew ".COM"', true],
    ['userName ew ".org"', false],
    // pr
    ["externalId pr", true],
    ["name pr", true],
    ["emails pr", true],
    ["title pr", null],
    // gt / ge / lt / le on strings
    ['userName gt "a"', true],
    ['userName gt "C"', false],
    ['userName ge "bjensen@example.com"', true],
    ['userName lt "c"', true],
    ['userName le "BJENSEN@EXAMPLE.COM"', true],
    ['userName lt "bjensen@example.com"', false],
  ])("%s → %s", (filter, expected) => {
    if (expected === null) {
      expect(scimErrorOf(() => matches(filter)).scimType).toBe("invalidFilter");
    } else {
      expect(matches(filter)).toBe(expected);
    }
  });
});

describe("matchesFilter: case sensitivity follows caseExact", () => {
  it("compares id and externalId exactly", () => {
    expect(matches('externalId eq "00ujl29u0le5T6Aj10h7"')).toBe(true);
    expect(matches('externalId eq "00UJL29U0LE5T6AJ10H7"')).toBe(false);
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(matches('id eq "2819c223-7f76-453a-919d-413861904646"')).toBe(true);
    expect(matches('externalId sw "00u"')).toBe(true);
    expect(matches('externalId sw "00U"')).toBe(false);
  });

  it("treats attribute names and operators case-insensitively", () => {
    expect(matches('USERNAME EQ "bjensen@example.com"')).toBe(true);
    expect(matches('Name.FamilyName Eq "Jensen" AND Emails[Type eq "work"]')).toBe(true);
    expect(matches('EMAILS.VALUE co "jensen.org"')).toBe(true);
  });

  it("accepts attributes qualified with the core schema URN", () => {
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com"')).toBe(
      true,
    );
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "jensen"')).toBe(true);
  });
});

describe("matchesFilter: dates compare as instants", () => {
  it.each([
    ['meta.lastModified gt "2011-05-13T04:42:33Z"', true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified eq "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified eq "2011-05-13T04:42:34.000Z"', true],
    ['meta.lastModified ne "2011-05-13T04:42:34Z"', false],
    // Same instant written in another offset: a string comparison would get these wrong.
    ['meta.lastModified eq "2011-05-13T06:42:34+02:00"', true],
    ['meta.lastModified lt "2011-05-13T06:00:00+02:00"', false],
    ['meta.lastModified gt "2011-05-13T06:00:00+02:00"', true],
    ['meta.lastModified le "2011-05-13T04:42:34.001Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34"', false],
    ['meta.created lt "2011-01-01T00:00:00Z"', true],
  ])("%s → %s", (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });
});

describe("matchesFilter: booleans", () => {
  it.each([
    ["active eq true", babs, true],
    ["active eq false", babs, false],
    ["active eq false", bare, true],
    ["active ne true", bare, true],
    ['emails[primary eq true and type eq "work"]', babs, true],
    ['emails[primary eq true and type eq "home"]', babs, false],
  ])("%s", (filter, resource, expected) => {
    expect(matches(filter, resource)).toBe(expected);
  });
});

describe("matchesFilter: multi-valued attributes and value filters", () => {
  it("matches when any value matches", () => {
    expect(matches('emails.type eq "home"')).toBe(true);
    expect(matches('emails.type eq "other"')).toBe(false);
    // One of the two emails is not "work", so `ne` matches too (RFC 7644: any value).
    expect(matches('emails.type ne "work"')).toBe(true);
  });

  it("requires every condition of a value filter to hold on the same value", () => {
    expect(matches('emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(matches('emails[type eq "home" and value co "@example.com"]')).toBe(false);
    expect(matches('emails[type eq "home" or value co "@nowhere"]')).toBe(true);
    expect(matches('emails[not (type eq "work")]')).toBe(true);
  });

  it("matches group members", () => {
    expect(matches('members[value eq "902c246b-6245-4190-8e05-00816be7344a"]', tourGuides)).toBe(true);
    expect(matches('members.value eq "902C246B-6245-4190-8E05-00816BE7344A"', tourGuides)).toBe(false);
    expect(matches('members.display co "pepper"', tourGuides)).toBe(true);
    expect(matches('displayName eq "tour guides"', tourGuides)).toBe(true);
  });
});

describe("matchesFilter: unassigned attributes", () => {
  it("pr is false for absent, null, empty-string and empty-array values", () => {
    expect(matches("externalId pr", bare)).toBe(false);
    expect(matches("name pr", bare)).toBe(false);
    expect(matches("emails pr", bare)).toBe(false);
    expect(matches("displayName pr", bare)).toBe(false);
    expect(matchesFilter(parseFilter("displayName pr"), { displayName: "" })).toBe(false);
    expect(matchesFilter(parseFilter("displayName pr"), { displayName: null })).toBe(false);
    expect(matchesFilter(parseFilter("name pr"), { name: { givenName: "" } })).toBe(false);
  });

  it("treats an unassigned attribute as null: eq fails, ne matches", () => {
    expect(matches('externalId eq "x"', bare)).toBe(false);
    expect(matches('externalId ne "x"', bare)).toBe(true);
    expect(matches("externalId eq null", bare)).toBe(true);
    expect(matches("externalId ne null", bare)).toBe(false);
    expect(matches("externalId eq null", babs)).toBe(false);
    expect(matches('externalId co "x"', bare)).toBe(false);
    expect(matches('externalId gt "a"', bare)).toBe(false);
    expect(matches('emails.value ne "x"', bare)).toBe(true);
  });
});

describe("matchesFilter: logical operators", () => {
  it.each([
    ['userName eq "bjensen@example.com" and active eq true', true],
    ['userName eq "bjensen@example.com" and active eq false', false],
    ['userName eq "nobody" or active eq true', true],
    ['userName eq "nobody" or active eq false', false],
    ['not (userName eq "nobody")', true],
    ['not (userName eq "bjensen@example.com")', false],
    // and binds tighter than or
    ['userName eq "nobody" and active eq true or displayName pr', true],
    ['userName eq "nobody" and (active eq true or displayName pr)', false],
    ['(userName eq "nobody" or title pr) and active eq true', null],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', null],
    ['name.familyName co "ens" and (emails.type eq "work" or emails.value co "example.org")', true],
    ['not (emails[type eq "work"]) or externalId pr', true],
  ])("%s → %s", (filter, expected) => {
    if (expected === null) expect(scimErrorOf(() => matches(filter)).scimType).toBe("invalidFilter");
    else expect(matches(filter)).toBe(expected);
  });
});

describe("parseFilter", () => {
  it("returns the library's AST with canonical attribute names and no URN", () => {
    expect(
      parseFilter(
        'urn:ietf:params:scim:schemas:core:2.0:User:NAME.familyname sw "J" and EMAILS[TYPE eq "work"]',
      ),
    ).toStrictEqual({
      op: "and",
      filters: [
        { op: "sw", attrPath: "name.familyName", compValue: "J" },
        { op: "[]", attrPath: "emails", valFilter: { op: "eq", attrPath: "type", compValue: "work" } },
      ],
    });
  });

  it("limits attributes to the resource type when one is given", () => {
    expect(parseFilter('displayName eq "Tour Guides"', "Group")).toStrictEqual({
      op: "eq",
      attrPath: "displayName",
      compValue: "Tour Guides",
    });
    expect(scimErrorOf(() => parseFilter('userName eq "x"', "Group")).scimType).toBe("invalidFilter");
    expect(scimErrorOf(() => parseFilter('members.value eq "x"', "User")).scimType).toBe("invalidFilter");
    expect(
      scimErrorOf(() => parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:displayName eq "x"', "Group"))
        .scimType,
    ).toBe("invalidFilter");
  });

  it.each([
    "userName eq",
    'userName xx "a"',
    '(userName eq "a"',
    'userName eq "a")',
    '((userName eq "a") or (active eq true)',
    'emails[type eq "work"',
    'emails type eq "work"]',
    'userName eq "a" and',
    'userName eq "a" or or active eq true',
    'userName eq "a" userName eq "b"',
    "",
    "   ",
    "userName",
    'userName eq "unterminated',
    "userName eq bjensen",
    'eq "a"',
    "active eq True",
    'userName eq "a" & active eq true',
  ])("rejects the malformed filter %j with 400 invalidFilter", (filter) => {
    const error = scimErrorOf(() => parseFilter(filter));
    expect(error).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect(error.detail.length).toBeGreaterThan(0);
  });

  it.each([
    ['title eq "Tour Guide"', /not supported/],
    ['nmae.givenName eq "x"', /not supported/],
    ['name.middleName eq "x"', /not supported/],
    ['name.givenName.x eq "x"', /not supported/],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"', /not supported/],
    ['emails eq "bjensen@example.com"', /complex; compare one of its sub-attributes/],
    ['name eq "x"', /complex/],
    ["active gt true", /not defined for boolean/],
    ['active eq "true"', /boolean/],
    ["userName eq 42", /quote the value/],
    ["userName eq true", /quote the value/],
    ['meta.lastModified gt "yesterday"', /date-time/],
    ['meta.lastModified co "2011"', /not defined for date-time/],
    ["userName gt null", /null/],
    ['userName[value eq "x"]', /no sub-attributes/],
    ['emails[members[value eq "x"]]', /nested/],
    ['emails[value.x eq "x"]', /not supported/],
  ])("rejects %j as unsupported with 400 invalidFilter", (filter, detail) => {
    const error = scimErrorOf(() => parseFilter(filter));
    expect(error).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect(error.detail).toMatch(detail);
  });

  it("rejects a sub-attribute after a value filter rather than matching the wrong email", () => {
    const error = scimErrorOf(() => parseFilter('emails[type eq "work"].value co "@jensen.org"'));
    expect(error.scimType).toBe("invalidFilter");
    expect(error.detail).toMatch(/only valid in PATCH paths/);
  });

  it("rejects filters longer than the limit", () => {
    const long = Array.from({ length: 400 }, () => 'userName eq "x"').join(" or ");
    expect(scimErrorOf(() => parseFilter(long)).detail).toMatch(/limited to 4096/);
  });

  it("parses what Okta and Entra send when looking a user or group up", () => {
    expect(parseFilter('userName eq "test.user@okta.local"')).toStrictEqual({
      op: "eq",
      attrPath: "userName",
      compValue: "test.user@okta.local",
    });
    expect(parseFilter('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"', "User")).toMatchObject({
      attrPath: "externalId",
    });
    expect(parseFilter('displayName eq "Group1DisplayName"', "Group")).toMatchObject({
      attrPath: "displayName",
    });
  });
});
