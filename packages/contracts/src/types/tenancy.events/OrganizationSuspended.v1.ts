// Generated from tenancy.events-platform.tenancy.OrganizationSuspended v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The organization was suspended, e.g. because billing suspended its subscription. */
export interface OrganizationSuspended {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Status before the event. */
  previous_status: string;
  /** Lifecycle status after the event: "created", "onboarded", "active", "suspended" or "closed". */
  status: string;
  /** "payment_overdue", "admin" or another documented reason. */
  reason: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
