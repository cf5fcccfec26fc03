import { normalizeBaseUrl } from "./meta";
import { MAX_PAGE_SIZE } from "./paging";
import { RESOURCE_SCHEMAS, type ScimAttribute, type ScimResourceSchema, ScimSchemaUrns } from "./schemas";

/** GET /ServiceProviderConfig (RFC 7643 §5): what clients may rely on. */
export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [ScimSchemaUrns.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "Authentication with an OAuth 2.0 bearer token (RFC 6750).",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: {
      resourceType: "ServiceProviderConfig",
      location: `${normalizeBaseUrl(baseUrl)}/ServiceProviderConfig`,
    },
  };
}

export type ScimServiceProviderConfig = ReturnType<typeof serviceProviderConfig>;

/** The resources of GET /ResourceTypes (RFC 7643 §6); wrap them with listResponse to serve the list. */
export function resourceTypes(baseUrl: string) {
  return RESOURCE_SCHEMAS.map((resource) => resourceType(resource, baseUrl));
}

export type ScimResourceTypeDocument = ReturnType<typeof resourceType>;

function resourceType(resource: ScimResourceSchema, baseUrl: string) {
  return {
    schemas: [ScimSchemaUrns.resourceType],
    id: resource.resourceType,
    name: resource.resourceType,
    endpoint: resource.endpoint,
    description: resource.description,
    schema: resource.schema,
    schemaExtensions: [] as { schema: string; required: boolean }[],
    meta: {
      resourceType: "ResourceType",
      location: `${normalizeBaseUrl(baseUrl)}/ResourceTypes/${resource.resourceType}`,
    },
  };
}

/** The resources of GET /Schemas (RFC 7643 §7): the User and Group core schemas as this service implements them. */
export function schemas(baseUrl: string) {
  return RESOURCE_SCHEMAS.map((resource) => schemaDocument(resource, baseUrl));
}

export type ScimSchemaDocument = ReturnType<typeof schemaDocument>;

function schemaDocument(resource: ScimResourceSchema, baseUrl: string) {
  return {
    schemas: [ScimSchemaUrns.schema],
    id: resource.schema,
    name: resource.resourceType,
    description: resource.description,
    attributes: resource.attributes.map(attributeDocument),
    meta: {
      resourceType: "Schema",
      location: `${normalizeBaseUrl(baseUrl)}/Schemas/${resource.schema}`,
    },
  };
}

export interface ScimAttributeDocument {
  name: string;
  type: string;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  subAttributes?: ScimAttributeDocument[];
  canonicalValues?: string[];
  referenceTypes?: string[];
}

function attributeDocument(attribute: ScimAttribute): ScimAttributeDocument {
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    description: attribute.description,
    required: attribute.required,
    caseExact: attribute.caseExact,
    mutability: attribute.mutability,
    returned: attribute.returned,
    uniqueness: attribute.uniqueness,
    ...(attribute.subAttributes === undefined
      ? {}
      : { subAttributes: attribute.subAttributes.map(attributeDocument) }),
    ...(attribute.canonicalValues === undefined ? {} : { canonicalValues: [...attribute.canonicalValues] }),
    ...(attribute.referenceTypes === undefined ? {} : { referenceTypes: [...attribute.referenceTypes] }),
  };
}
