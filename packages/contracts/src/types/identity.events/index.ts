// Generated from schemas/identity-events by `platform-contracts types`; do not edit.

import type { AccessRevoked } from "./AccessRevoked.v1";
import type { AccountSwitched } from "./AccountSwitched.v1";
import type { ApiKeyCreated } from "./ApiKeyCreated.v2";
import type { ApiKeyRevoked } from "./ApiKeyRevoked.v1";
import type { DirectoryGroupCreated } from "./DirectoryGroupCreated.v1";
import type { DirectoryGroupDeleted } from "./DirectoryGroupDeleted.v1";
import type { DirectoryGroupUpdated } from "./DirectoryGroupUpdated.v1";
import type { DirectoryUserUpdated } from "./DirectoryUserUpdated.v1";
import type { EmailVerified } from "./EmailVerified.v1";
import type { PasswordChanged } from "./PasswordChanged.v1";
import type { PasswordResetRequested } from "./PasswordResetRequested.v1";
import type { RoleDefined } from "./RoleDefined.v1";
import type { ScimTokenIssued } from "./ScimTokenIssued.v2";
import type { ScimTokenRevoked } from "./ScimTokenRevoked.v1";
import type { SigningKeyPublished } from "./SigningKeyPublished.v1";
import type { SigningKeyRetired } from "./SigningKeyRetired.v1";
import type { SsoConnectionConfigured } from "./SsoConnectionConfigured.v2";
import type { SsoConnectionDeleted } from "./SsoConnectionDeleted.v1";
import type { UserDeactivated } from "./UserDeactivated.v1";
import type { UserJoined } from "./UserJoined.v1";
import type { UserProfileUpdated } from "./UserProfileUpdated.v1";
import type { UserProvisioned } from "./UserProvisioned.v2";
import type { UserReactivated } from "./UserReactivated.v1";
import type { UserRemoved } from "./UserRemoved.v1";
import type { UserSignedIn } from "./UserSignedIn.v1";
import type { UserSignedOut } from "./UserSignedOut.v1";
import type { UserSignedUp } from "./UserSignedUp.v1";

export type {
  AccessRevoked,
  AccountSwitched,
  ApiKeyCreated,
  ApiKeyRevoked,
  DirectoryGroupCreated,
  DirectoryGroupDeleted,
  DirectoryGroupUpdated,
  DirectoryUserUpdated,
  EmailVerified,
  PasswordChanged,
  PasswordResetRequested,
  RoleDefined,
  ScimTokenIssued,
  ScimTokenRevoked,
  SigningKeyPublished,
  SigningKeyRetired,
  SsoConnectionConfigured,
  SsoConnectionDeleted,
  UserDeactivated,
  UserJoined,
  UserProfileUpdated,
  UserProvisioned,
  UserReactivated,
  UserRemoved,
  UserSignedIn,
  UserSignedOut,
  UserSignedUp,
};

/** The event types of identity.events: each record's Avro full name, which is also the event-type header. */
export const IdentityEvent = {
  AccessRevoked: "platform.identity.AccessRevoked",
  AccountSwitched: "platform.identity.AccountSwitched",
  ApiKeyCreated: "platform.identity.ApiKeyCreated",
  ApiKeyRevoked: "platform.identity.ApiKeyRevoked",
  DirectoryGroupCreated: "platform.identity.DirectoryGroupCreated",
  DirectoryGroupDeleted: "platform.identity.DirectoryGroupDeleted",
  DirectoryGroupUpdated: "platform.identity.DirectoryGroupUpdated",
  DirectoryUserUpdated: "platform.identity.DirectoryUserUpdated",
  EmailVerified: "platform.identity.EmailVerified",
  PasswordChanged: "platform.identity.PasswordChanged",
  PasswordResetRequested: "platform.identity.PasswordResetRequested",
  RoleDefined: "platform.identity.RoleDefined",
  ScimTokenIssued: "platform.identity.ScimTokenIssued",
  ScimTokenRevoked: "platform.identity.ScimTokenRevoked",
  SigningKeyPublished: "platform.identity.SigningKeyPublished",
  SigningKeyRetired: "platform.identity.SigningKeyRetired",
  SsoConnectionConfigured: "platform.identity.SsoConnectionConfigured",
  SsoConnectionDeleted: "platform.identity.SsoConnectionDeleted",
  UserDeactivated: "platform.identity.UserDeactivated",
  UserJoined: "platform.identity.UserJoined",
  UserProfileUpdated: "platform.identity.UserProfileUpdated",
  UserProvisioned: "platform.identity.UserProvisioned",
  UserReactivated: "platform.identity.UserReactivated",
  UserRemoved: "platform.identity.UserRemoved",
  UserSignedIn: "platform.identity.UserSignedIn",
  UserSignedOut: "platform.identity.UserSignedOut",
  UserSignedUp: "platform.identity.UserSignedUp",
} as const;

export type IdentityEventType = (typeof IdentityEvent)[keyof typeof IdentityEvent];

/** The payload of each identity.events event type, as its latest version (the reader schema services decode with). */
export interface IdentityPayloads {
  "platform.identity.AccessRevoked": AccessRevoked;
  "platform.identity.AccountSwitched": AccountSwitched;
  "platform.identity.ApiKeyCreated": ApiKeyCreated;
  "platform.identity.ApiKeyRevoked": ApiKeyRevoked;
  "platform.identity.DirectoryGroupCreated": DirectoryGroupCreated;
  "platform.identity.DirectoryGroupDeleted": DirectoryGroupDeleted;
  "platform.identity.DirectoryGroupUpdated": DirectoryGroupUpdated;
  "platform.identity.DirectoryUserUpdated": DirectoryUserUpdated;
  "platform.identity.EmailVerified": EmailVerified;
  "platform.identity.PasswordChanged": PasswordChanged;
  "platform.identity.PasswordResetRequested": PasswordResetRequested;
  "platform.identity.RoleDefined": RoleDefined;
  "platform.identity.ScimTokenIssued": ScimTokenIssued;
  "platform.identity.ScimTokenRevoked": ScimTokenRevoked;
  "platform.identity.SigningKeyPublished": SigningKeyPublished;
  "platform.identity.SigningKeyRetired": SigningKeyRetired;
  "platform.identity.SsoConnectionConfigured": SsoConnectionConfigured;
  "platform.identity.SsoConnectionDeleted": SsoConnectionDeleted;
  "platform.identity.UserDeactivated": UserDeactivated;
  "platform.identity.UserJoined": UserJoined;
  "platform.identity.UserProfileUpdated": UserProfileUpdated;
  "platform.identity.UserProvisioned": UserProvisioned;
  "platform.identity.UserReactivated": UserReactivated;
  "platform.identity.UserRemoved": UserRemoved;
  "platform.identity.UserSignedIn": UserSignedIn;
  "platform.identity.UserSignedOut": UserSignedOut;
  "platform.identity.UserSignedUp": UserSignedUp;
}
