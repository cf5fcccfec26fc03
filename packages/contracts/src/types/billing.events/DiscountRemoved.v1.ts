// Generated from billing.events-platform.billing.DiscountRemoved v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A discount was taken off the subscription: no later invoice is reduced by it. */
export interface DiscountRemoved {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** The discount's id on the subscription (its coupon's id). */
  discount_id: string;
  /** Why, when someone said so. */
  reason: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
