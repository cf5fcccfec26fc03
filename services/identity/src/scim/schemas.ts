/**
 * The attribute definitions of RFC 7643 for the attributes this service stores. They are the single
 * source of truth for the /Schemas document, body coercion, filter typing (caseExact, dateTime) and
 * PATCH path resolution, so those can never disagree about an attribute.
 */

export const ScimSchemaUrns = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  enterpriseUser: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

export type ScimAttributeType = "string" | "boolean" | "dateTime" | "reference" | "complex";

export interface ScimAttribute {
  readonly name: string;
  readonly type: ScimAttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  readonly returned: "always" | "never" | "default" | "request";
  readonly uniqueness: "none" | "server" | "global";
  readonly subAttributes?: readonly ScimAttribute[];
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
}

type AttributeOptions = Partial<Omit<ScimAttribute, "name" | "type" | "description">>;

function attribute(
  name: string,
  type: ScimAttributeType,
  description: string,
  options: AttributeOptions = {},
): ScimAttribute {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...options,
  };
}

/** RFC 7643 §3.1: on every resource, but not listed in any schema's attributes. */
export const COMMON_ATTRIBUTES: readonly ScimAttribute[] = [
  attribute("id", "string", "Unique identifier of the resource, assigned by the service provider.", {
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server",
  }),
  attribute("externalId", "string", "Identifier of the resource as defined by the provisioning client.", {
    caseExact: true,
  }),
  attribute("meta", "complex", "Resource metadata.", {
    mutability: "readOnly",
    subAttributes: [
      attribute("resourceType", "string", "Name of the resource type.", {
        caseExact: true,
        mutability: "readOnly",
      }),
      attribute("created", "dateTime", "When the resource was added.", { mutability: "readOnly" }),
      attribute("lastModified", "dateTime", "When the resource was last changed.", {
        mutability: "readOnly",
      }),
      attribute("location", "reference", "URI of the resource.", {
        caseExact: true,
        mutability: "readOnly",
        referenceTypes: ["uri"],
      }),
      attribute("version", "string", "Entity tag of the resource's current version.", {
        caseExact: true,
        mutability: "readOnly",
      }),
    ],
  }),
];

const USER_ATTRIBUTES: readonly ScimAttribute[] = [
  attribute("userName", "string", "Unique identifier for the User, used to sign in.", {
    required: true,
    uniqueness: "server",
  }),
  attribute("name", "complex", "The components of the user's real name.", {
    subAttributes: [
      attribute("formatted", "string", "The full name, formatted for display."),
      attribute("familyName", "string", "The family name, or last name."),
      attribute("givenName", "string", "The given name, or first name."),
    ],
  }),
  attribute("displayName", "string", "The name of the User, suitable for display to end-users."),
  attribute("active", "boolean", "Whether the User may sign in."),
  attribute("emails", "complex", "Email addresses for the User.", {
    multiValued: true,
    subAttributes: [
      attribute("value", "string", "The email address.", { required: true }),
      attribute("type", "string", "A label indicating the email's function.", {
        canonicalValues: ["work", "home", "other"],
      }),
      attribute("primary", "boolean", "Whether this is the preferred email address."),
    ],
  }),
];

const GROUP_ATTRIBUTES: readonly ScimAttribute[] = [
  attribute("displayName", "string", "A human-readable name for the Group.", { required: true }),
  attribute("members", "complex", "A list of members of the Group.", {
    multiValued: true,
    subAttributes: [
      attribute("value", "string", "Identifier of the member.", {
        required: true,
        caseExact: true,
        mutability: "immutable",
      }),
      attribute("display", "string", "A human-readable name of the member.", { mutability: "immutable" }),
    ],
  }),
];

export type ScimResourceTypeName = "User" | "Group";

export interface ScimResourceSchema {
  readonly resourceType: ScimResourceTypeName;
  readonly endpoint: string;
  readonly schema: string;
  readonly description: string;
  readonly attributes: readonly ScimAttribute[];
  /**
   * Standard attributes (lower-case paths) that identity providers send by default but this service
   * does not store. A PATCH naming one is accepted and skipped rather than failed, so an Entra or Okta
   * default attribute mapping does not break provisioning; a misspelt path still fails.
   */
  readonly ignoredAttributePaths: ReadonlySet<string>;
  /** Extension schemas clients may write to that this service skips, for the same reason. */
  readonly ignoredSchemaUrns: readonly string[];
}

export const USER_SCHEMA: ScimResourceSchema = {
  resourceType: "User",
  endpoint: "/Users",
  schema: ScimSchemaUrns.user,
  description: "User Account",
  attributes: USER_ATTRIBUTES,
  ignoredAttributePaths: new Set([
    "nickname",
    "profileurl",
    "title",
    "usertype",
    "preferredlanguage",
    "locale",
    "timezone",
    "password",
    "phonenumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509certificates",
    "name.middlename",
    "name.honorificprefix",
    "name.honorificsuffix",
    "emails.display",
  ]),
  ignoredSchemaUrns: [ScimSchemaUrns.enterpriseUser],
};

export const GROUP_SCHEMA: ScimResourceSchema = {
  resourceType: "Group",
  endpoint: "/Groups",
  schema: ScimSchemaUrns.group,
  description: "Group",
  attributes: GROUP_ATTRIBUTES,
  ignoredAttributePaths: new Set(["members.$ref", "members.type"]),
  ignoredSchemaUrns: [],
};

export const RESOURCE_SCHEMAS: readonly ScimResourceSchema[] = [USER_SCHEMA, GROUP_SCHEMA];

/** Attributes addressable on a resource of this type: the common ones first, then its schema's. */
export function topLevelAttributes(resource: ScimResourceSchema): readonly ScimAttribute[] {
  return [...COMMON_ATTRIBUTES, ...resource.attributes];
}

export function findAttribute(scope: readonly ScimAttribute[], name: string): ScimAttribute | undefined {
  const wanted = name.toLowerCase();
  return scope.find((candidate) => candidate.name.toLowerCase() === wanted);
}

/** The value under `name` in a JSON object, matching the key case-insensitively (RFC 7643 §2.1). */
export function getIgnoringCase(object: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const wanted = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : object[key];
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Splits `urn:…:User:name.givenName` into the schema URN and the attribute path. Core attributes may be
 * written fully qualified (RFC 7644 §3.10); without a URN, the URN is undefined.
 */
export function splitSchemaUrn(path: string): { urn: string | undefined; attributePath: string } {
  if (!path.toLowerCase().startsWith("urn:")) return { urn: undefined, attributePath: path };
  const separator = path.lastIndexOf(":");
  return { urn: path.slice(0, separator), attributePath: path.slice(separator + 1) };
}
