// The SCIM 2.0 protocol layer: pure functions the HTTP routes call. Nothing here knows Express,
// Postgres or Kafka.
export { parseExcludedAttributes, withoutAttributes } from "./attributes";
export {
  resourceTypes,
  type ScimAttributeDocument,
  type ScimResourceTypeDocument,
  type ScimSchemaDocument,
  type ScimServiceProviderConfig,
  schemas,
  serviceProviderConfig,
} from "./discovery";
export {
  ScimError,
  type ScimErrorBody,
  ScimErrorCodes,
  type ScimErrorStatus,
  type ScimErrorType,
  scimErrorBody,
  scimTypeOfConflict,
} from "./errors";
export {
  FILTER_MAX_LENGTH,
  matchesFilter,
  parseFilter,
  type ScimFilter,
  type ScimFilterOperator,
} from "./filter";
export {
  GROUP_DISPLAY_NAME_MAX_LENGTH,
  parseGroupInput,
  type ScimGroupInput,
  type ScimGroupMember,
  type ScimGroupRecord,
  type ScimGroupResource,
  toScimGroup,
} from "./groups";
export { type ScimMeta, versionTag } from "./meta";
export {
  DEFAULT_PAGE_SIZE,
  listResponse,
  MAX_PAGE_SIZE,
  parsePaging,
  type ScimListResponse,
  type ScimPaging,
} from "./paging";
export { applyGroupPatch, applyUserPatch, parsePatchRequest, type ScimPatchOperation } from "./patch";
export {
  type ScimAttribute,
  type ScimAttributeType,
  type ScimResourceTypeName,
  ScimSchemaUrns,
} from "./schemas";
export {
  parseUserInput,
  type ScimEmail,
  type ScimName,
  type ScimUserInput,
  type ScimUserRecord,
  type ScimUserResource,
  toScimUser,
  USER_NAME_MAX_LENGTH,
} from "./users";
