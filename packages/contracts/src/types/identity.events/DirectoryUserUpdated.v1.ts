// Generated from identity.events-platform.identity.DirectoryUserUpdated v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An organization's directory (SCIM PUT or PATCH) changed the person's entry in it: their userName or externalId. Carries the entry after the change. */
export interface DirectoryUserUpdated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The person's id (usr_...). A person is global: one person can belong to several organizations. */
  user_id: string;
  /** The directory's userName for the person after the change (unique within the organization, case-insensitively); null when the directory never sent one. */
  user_name: null | string;
  /** The person's id at the directory (SCIM externalId) after the change; null when none. */
  external_id: null | string;
  /** Which of user_name and external_id changed. */
  changed_fields: Array<string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
