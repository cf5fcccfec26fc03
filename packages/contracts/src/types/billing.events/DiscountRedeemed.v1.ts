// Generated from billing.events-platform.billing.DiscountRedeemed v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An invoice of the subscription was reduced by the discount: one more of the invoices it lasts for is used. */
export interface DiscountRedeemed {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** The discount's id on the subscription (its coupon's id). */
  discount_id: string;
  /** The invoice it reduced. */
  invoice_id: null | string;
  /** Invoices the discount has reduced, this one included. */
  invoices_discounted: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
