// Generated from tenancy.events-platform.tenancy.OrganizationCreated v1 by `platform-contracts types`; do not edit.

import type { Actor, OrganizationSettings, PostalAddress } from "../shared";

export type { Actor, OrganizationSettings, PostalAddress };

/** An organization (account, the tenant) was created (seed 000 account.created). Its account group has group_id = account_id. */
export interface OrganizationCreated {
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
  /** Lifecycle status after the event: "created", "onboarded", "active", "suspended" or "closed". */
  status: string;
  /** The person who created it; they become its first owner. */
  created_by_user_id: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
