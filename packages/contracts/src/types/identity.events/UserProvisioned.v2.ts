// Generated from identity.events-platform.identity.UserProvisioned v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A person was created or linked by an identity provider (SAML/OIDC just-in-time, or SCIM). v2 carries the directory's userName, so the person's access in the organization is rebuilt from the log. */
export interface UserProvisioned {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The person's e-mail address, lower-cased. Internal domain log only: public streams carry a hash. */
  email: string;
  /** Given (first) name, if known. */
  given_name: null | string;
  /** Family (last) name, if known. */
  family_name: null | string;
  /** Name to display, if known. */
  display_name: null | string;
  /** "saml", "oidc" or "scim". */
  source: string;
  /** The person's id at the identity provider (SAML NameID, OIDC sub, SCIM externalId). */
  external_id: null | string;
  /** The directory's userName for the person in this organization (SCIM), as the directory sent it; null for SAML/OIDC and before v2. */
  user_name: null | string;
  /** The SSO connection or SCIM directory that provisioned the person. */
  connection_id: null | string;
  /** Organization role given on provisioning. */
  role: string;
  /** True if a new person was created, false if an existing person was linked to the organization. */
  created: boolean;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
