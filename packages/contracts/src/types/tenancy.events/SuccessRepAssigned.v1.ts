// Generated from tenancy.events-platform.tenancy.SuccessRepAssigned v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A customer success representative was assigned to the organization by a rule. */
export interface SuccessRepAssigned {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The representative. */
  rep_id: string;
  /** Representative before; null if none. */
  previous_rep_id: null | string;
  /** The assignment rule that matched. */
  rule_id: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
