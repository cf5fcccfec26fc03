// Generated from tenancy.events-platform.tenancy.OrganizationUpdated v1 by `platform-contracts types`; do not edit.

import type { Actor, OrganizationSettings, PostalAddress } from "../shared";

export type { Actor, OrganizationSettings, PostalAddress };

/** An organization's profile or settings changed; carries the whole profile after the change. */
export interface OrganizationUpdated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Organization name. */
  name: string;
  /** Free-text description. */
  description: null | string;
  /** Web site. */
  url: null | string;
  /** Contact address of the organization (not a person's). */
  email: null | string;
  /** Contact telephone. */
  telephone: null | string;
  /** Headcount the organization declared. */
  number_of_employees: null | number;
  /** When the organization was founded. */
  founding_date: null | number;
  /** Industry, e.g. "software", "healthcare". */
  industry: null | string;
  /** Postal address. */
  address: null | PostalAddress;
  /** Display and locale settings. */
  settings: OrganizationSettings;
  /** Names of the fields that changed. */
  changed_fields: Array<string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
