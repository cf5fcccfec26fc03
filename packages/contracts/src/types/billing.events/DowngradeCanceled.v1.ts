// Generated from billing.events-platform.billing.DowngradeCanceled v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** A scheduled downgrade was canceled before it took effect; the subscription stays on its plan. */
export interface DowngradeCanceled {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** Status after the event: "trialing", "active", "past_due", "suspended", "canceled" or "ended". */
  subscription_status: string;
  /** Plan in force, kept. */
  plan: PlanSnapshot;
  /** The plan the canceled downgrade would have moved to. */
  canceled_plan: PlanSnapshot;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
