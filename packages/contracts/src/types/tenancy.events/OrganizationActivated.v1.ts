// Generated from tenancy.events-platform.tenancy.OrganizationActivated v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The organization became active (a paid subscription started). */
export interface OrganizationActivated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Status before the event. */
  previous_status: string;
  /** Lifecycle status after the event: "created", "onboarded", "active", "suspended" or "closed". */
  status: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
