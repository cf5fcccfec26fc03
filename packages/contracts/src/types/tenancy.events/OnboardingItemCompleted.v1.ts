// Generated from tenancy.events-platform.tenancy.OnboardingItemCompleted v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An onboarding checklist item was fulfilled by the event named. */
export interface OnboardingItemCompleted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** "verify_email", "add_team_members", "configure_settings", "create_first_project" or "set_up_billing". */
  item: string;
  /** Full name of the event type that fulfilled it. */
  fulfilled_by_event: string;
  /** Items completed so far. */
  completed_items: Array<string>;
  /** Items still open. */
  pending_items: Array<string>;
  /** Completed share of the checklist, 0-100. */
  progress_percent: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
