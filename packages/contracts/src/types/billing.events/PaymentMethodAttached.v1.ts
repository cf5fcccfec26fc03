// Generated from billing.events-platform.billing.PaymentMethodAttached v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A payment method was attached to the subscription (replacing any earlier one); only non-secret details. */
export interface PaymentMethodAttached {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The subscription's id. */
  subscription_id: string;
  /** The payment provider's id of the method (e.g. "pm_card_visa"); never card numbers. */
  payment_method_id: string;
  /** Kind of method, e.g. "card". */
  kind: string;
  /** Card brand, e.g. "visa", when known. */
  brand: null | string;
  /** Last four digits of the card, when known. */
  last4: null | string;
  /** The method this one replaced, if any. */
  replaced_payment_method_id: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
