/**
 * Error codes this package answers with. Public API like every error code (STYLE.md §7): clients and
 * dashboards key on them, so changing one is a migration, not a rename.
 */
export const AuthErrorCodes = {
  // kind "unauthenticated" (401): the caller is not known.
  tokenMissing: "token_missing",
  tokenMalformed: "token_malformed",
  tokenExpired: "token_expired",
  tokenSignatureInvalid: "token_signature_invalid",
  tokenKeyUnknown: "token_key_unknown",
  tokenClaimsInvalid: "token_claims_invalid",
  sessionRevoked: "session_revoked",
  /** An API key's token whose key was revoked or whose rights changed: exchange the key again. */
  tokenRevoked: "token_revoked",
  // kind "forbidden" (403): the caller is known and may not do this.
  permissionDenied: "permission_denied",
  accountMismatch: "account_mismatch",
  /** Someone tried to hand on (to a key, token, role or person) permissions they do not hold. */
  grantExceedsOwn: "grant_exceeds_own_permissions",
  // kind "conflict" (409): the account exists but is closed, which is final (docs/tenancy.md).
  accountClosed: "organization_closed",
  // kind "invalid_input" (400, or dead-letter for an event): bad definitions handed to this package.
  invalidPermission: "invalid_permission",
  invalidRole: "invalid_role",
  invalidSigningKey: "invalid_signing_key",
  unsupportedKeyAlgorithm: "unsupported_key_algorithm",
  invalidPublicKeysConfig: "invalid_public_keys_config",
  invalidTokenClaims: "invalid_token_claims",
  // kind "internal" (500): the service wired the middleware wrongly.
  principalMissing: "principal_missing",
  routeParamMissing: "route_param_missing",
} as const;
