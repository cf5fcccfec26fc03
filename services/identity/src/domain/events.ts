import { latestSchemasOf, loadContracts, SCHEMAS_ROOT } from "@platform/contracts";
import type { Actor } from "@platform/contracts/src/types/identity.events/UserSignedUp.v1";
import { EventCatalog } from "@platform/event-sourcing";

export type { Actor };

/** identity's event types: the Avro full names of the records in schemas/identity-events. */
export const IdentityEvent = {
  UserSignedUp: "platform.identity.UserSignedUp",
  EmailVerified: "platform.identity.EmailVerified",
  UserSignedIn: "platform.identity.UserSignedIn",
  UserSignedOut: "platform.identity.UserSignedOut",
  AccountSwitched: "platform.identity.AccountSwitched",
  PasswordResetRequested: "platform.identity.PasswordResetRequested",
  PasswordChanged: "platform.identity.PasswordChanged",
  UserProfileUpdated: "platform.identity.UserProfileUpdated",
  UserProvisioned: "platform.identity.UserProvisioned",
  UserJoined: "platform.identity.UserJoined",
  UserDeactivated: "platform.identity.UserDeactivated",
  UserReactivated: "platform.identity.UserReactivated",
  UserRemoved: "platform.identity.UserRemoved",
  ApiKeyCreated: "platform.identity.ApiKeyCreated",
  ApiKeyRevoked: "platform.identity.ApiKeyRevoked",
  RoleDefined: "platform.identity.RoleDefined",
  SigningKeyPublished: "platform.identity.SigningKeyPublished",
  SigningKeyRetired: "platform.identity.SigningKeyRetired",
  SsoConnectionConfigured: "platform.identity.SsoConnectionConfigured",
  SsoConnectionDeleted: "platform.identity.SsoConnectionDeleted",
  ScimTokenIssued: "platform.identity.ScimTokenIssued",
  ScimTokenRevoked: "platform.identity.ScimTokenRevoked",
  DirectoryGroupCreated: "platform.identity.DirectoryGroupCreated",
  DirectoryGroupUpdated: "platform.identity.DirectoryGroupUpdated",
  DirectoryGroupDeleted: "platform.identity.DirectoryGroupDeleted",
  AccessRevoked: "platform.identity.AccessRevoked",
} as const;

export const identitySchemas = latestSchemasOf(loadContracts(SCHEMAS_ROOT), "identity.events");
export const identityCatalog = new EventCatalog(Object.values(identitySchemas));

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, ip_address: null, user_agent: null };
