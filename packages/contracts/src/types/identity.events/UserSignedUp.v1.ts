// Generated from identity.events-platform.identity.UserSignedUp v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A person created a login (seed 000 user.signed_up). */
export interface UserSignedUp {
  /** Tenant: the organization (account) the event belongs to; null when the person signed up without an organization. */
  account_id: null | string;
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
  /** How the person signed up: "web", "invitation", "api", "saml", "oidc" or "scim". */
  signup_source: string;
  /** Whether the address was already proven (true for invitation and SSO sign-ups). */
  email_verified: boolean;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
