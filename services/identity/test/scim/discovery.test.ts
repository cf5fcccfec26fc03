import { resourceTypes, schemas, serviceProviderConfig } from "../../src/scim";

const BASE_URL = "https://id.example.com/scim/v2/";

describe("serviceProviderConfig", () => {
  it("advertises what this service supports", () => {
    const config = serviceProviderConfig(BASE_URL);
    expect(config).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      meta: {
        resourceType: "ServiceProviderConfig",
        location: "https://id.example.com/scim/v2/ServiceProviderConfig",
      },
    });
    expect(config.authenticationSchemes).toStrictEqual([
      expect.objectContaining({ type: "oauthbearertoken", primary: true, name: expect.any(String) }),
    ]);
  });
});

describe("resourceTypes", () => {
  it("lists User and Group with their endpoints and schemas", () => {
    expect(resourceTypes(BASE_URL)).toStrictEqual([
      {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        id: "User",
        name: "User",
        endpoint: "/Users",
        description: "User Account",
        schema: "urn:ietf:params:scim:schemas:core:2.0:User",
        schemaExtensions: [],
        meta: { resourceType: "ResourceType", location: "https://id.example.com/scim/v2/ResourceTypes/User" },
      },
      {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        id: "Group",
        name: "Group",
        endpoint: "/Groups",
        description: "Group",
        schema: "urn:ietf:params:scim:schemas:core:2.0:Group",
        schemaExtensions: [],
        meta: {
          resourceType: "ResourceType",
          location: "https://id.example.com/scim/v2/ResourceTypes/Group",
        },
      },
    ]);
  });
});

describe("schemas", () => {
  const [user, group] = schemas(BASE_URL);

  it("describes the User and Group core schemas with their locations", () => {
    expect(user?.id).toBe("urn:ietf:params:scim:schemas:core:2.0:User");
    expect(user?.meta).toStrictEqual({
      resourceType: "Schema",
      location: "https://id.example.com/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    });
    expect(group?.id).toBe("urn:ietf:params:scim:schemas:core:2.0:Group");
    expect(user?.attributes.map((attribute) => attribute.name)).toStrictEqual([
      "userName",
      "name",
      "displayName",
      "active",
      "emails",
    ]);
    expect(group?.attributes.map((attribute) => attribute.name)).toStrictEqual(["displayName", "members"]);
  });

  it("gives every attribute its full characteristics", () => {
    const all = [...(user?.attributes ?? []), ...(group?.attributes ?? [])].flatMap((attribute) => [
      attribute,
      ...(attribute.subAttributes ?? []),
    ]);
    for (const attribute of all) {
      expect(attribute).toEqual(
        expect.objectContaining({
          type: expect.stringMatching(/^(string|boolean|dateTime|reference|complex)$/),
          multiValued: expect.any(Boolean),
          required: expect.any(Boolean),
          caseExact: expect.any(Boolean),
          mutability: expect.stringMatching(/^(readOnly|readWrite|immutable|writeOnly)$/),
          returned: expect.any(String),
          uniqueness: expect.stringMatching(/^(none|server|global)$/),
        }),
      );
    }
  });

  it("marks userName required, server-unique and case-insensitive", () => {
    expect(user?.attributes.find((attribute) => attribute.name === "userName")).toMatchObject({
      type: "string",
      required: true,
      caseExact: false,
      uniqueness: "server",
      mutability: "readWrite",
    });
  });

  it("describes emails as multi-valued with value, type and primary", () => {
    const emails = user?.attributes.find((attribute) => attribute.name === "emails");
    expect(emails).toMatchObject({ type: "complex", multiValued: true });
    expect(emails?.subAttributes?.map((sub) => [sub.name, sub.type])).toStrictEqual([
      ["value", "string"],
      ["type", "string"],
      ["primary", "boolean"],
    ]);
  });

  it("marks member ids immutable and case-exact", () => {
    const members = group?.attributes.find((attribute) => attribute.name === "members");
    expect(members?.subAttributes?.find((sub) => sub.name === "value")).toMatchObject({
      caseExact: true,
      mutability: "immutable",
    });
  });
});
