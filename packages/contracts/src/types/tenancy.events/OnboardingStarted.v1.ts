// Generated from tenancy.events-platform.tenancy.OnboardingStarted v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** The organization's onboarding checklist was created. */
export interface OnboardingStarted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
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
