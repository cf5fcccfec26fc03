// Generated from billing.events-platform.billing.PlanPublished v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

/** A plan of the catalog was published or changed; carries the whole plan. */
export interface PlanPublished {
  /** The plan. */
  plan: PlanSnapshot;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
