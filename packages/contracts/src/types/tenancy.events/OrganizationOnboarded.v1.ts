// Generated from tenancy.events-platform.tenancy.OrganizationOnboarded v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The organization finished its onboarding checklist. */
export interface OrganizationOnboarded {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Status before the event. */
  previous_status: string;
  /** Lifecycle status after the event: "created", "onboarded", "active", "suspended" or "closed". */
  status: string;
  /** Checklist items completed. */
  completed_items: Array<string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
