// Generated from tenancy.events-platform.tenancy.HealthScoreDropped v1 by `platform-contracts types`; do not edit.

import type { Actor, HealthFactor } from "../shared";

export type { Actor, HealthFactor };

/** The health score fell under the alert threshold. */
export interface HealthScoreDropped {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Health score, 0-100. */
  score: number;
  /** Score before. */
  previous_score: number;
  /** The threshold crossed (50). */
  threshold: number;
  /** How each factor contributed. */
  factors: Array<HealthFactor>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
