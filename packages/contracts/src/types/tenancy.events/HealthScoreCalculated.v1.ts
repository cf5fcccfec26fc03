// Generated from tenancy.events-platform.tenancy.HealthScoreCalculated v1 by `platform-contracts types`; do not edit.

import type { Actor, HealthFactor } from "../shared";

export type { Actor, HealthFactor };

/** The organization's customer health score was recomputed. */
export interface HealthScoreCalculated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Health score, 0-100. */
  score: number;
  /** Score before; null the first time. */
  previous_score: null | number;
  /** How each factor contributed. */
  factors: Array<HealthFactor>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
