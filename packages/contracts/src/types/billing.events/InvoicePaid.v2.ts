// Generated from billing.events-platform.billing.InvoicePaid v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An invoice was paid in full. v2 adds the attempt, the payment method and the provider. */
export interface InvoicePaid {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice. */
  invoice_id: string;
  /** The payment that settled it. */
  payment_id: string;
  /** Amount paid. In the currency's minor unit. */
  amount_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** The attempt that succeeded, from 1; null before v2. */
  attempt: null | number;
  /** The payment method charged; null before v2. */
  payment_method_id: null | string;
  /** The payment provider, e.g. "test"; null before v2. */
  provider: null | string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
