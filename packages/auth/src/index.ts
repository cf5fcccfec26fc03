export {
  type AccessControl,
  type AccessControlOptions,
  createAccessControl,
  PLATFORM_ROLES,
  type ResettableTrustedAccessTables,
  ROLE_DEFINITIONS_TABLE,
  resetTrustedAccess,
  type TrustedAccessTables,
  trustedAccessHandlers,
} from "./access-control";
export { type AccessHandlers, type AccessReadModels, accessReadModels } from "./access-read-models";
export {
  accountClosedError,
  assertAccountOpen,
  type ClosedAccounts,
  isWriteMethod,
} from "./closed-accounts";
export {
  type ClosedAccountTables,
  closedAccountHandlers,
  projectedClosedAccounts,
} from "./closed-accounts-projection";
export { AuthErrorCodes } from "./codes";
export {
  KeyRing,
  SIGNING_KEY_PUBLISHED,
  SIGNING_KEY_RETIRED,
  type SigningKeyPublishedPayload,
  type SigningKeyRetiredPayload,
  type VerificationKey,
} from "./keys";
export {
  type AuthMiddleware,
  type AuthNext,
  type AuthRequest,
  type AuthResponse,
  authenticate,
  knownPrincipal,
  principalOf,
  requireAccount,
  requirePermission,
} from "./middleware";
export {
  ALL_PERMISSIONS,
  assertConcretePermission,
  assertValidGrants,
  coversGrant,
  grantsBeyond,
  intersectGrants,
  isConcretePermission,
  isValidGrant,
  permits,
} from "./permissions";
export { assertAccount, assertMayGrant, assertPermitted, hasPermission, type Principal } from "./principal";
export { ACCESS_REVOKED, RevocationFeed, type RevocationFeedOptions } from "./revocation-feed";
export {
  issuedAtMsOf,
  issuedBy,
  REVOCATION_SCOPES,
  type RevocableToken,
  type Revocation,
  type RevocationCheck,
  type RevocationScope,
  RevocationSet,
  revocationKeyOf,
  revocationKeysOf,
} from "./revocations";
export { DEFAULT_ROLES, RoleCatalog, type RoleDefinedPayload } from "./roles";
export {
  type AccessTokenClaims,
  type AccessTokenPayload,
  type ApiKeyTokenClaims,
  DEFAULT_TOKEN_TTL_SECONDS,
  generateSigningKey,
  type SignAccessTokenOptions,
  type SigningKey,
  signAccessToken,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_HEADER_TYPE,
  TOKEN_ISSUER,
  type TokenType,
  type UserTokenClaims,
} from "./tokens";
export { TokenVerifier, type TokenVerifierOptions } from "./verifier";
