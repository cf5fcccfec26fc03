// Generated from billing.events-platform.billing.InvoiceMarkedUncollectible v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** Dunning ended without payment: the invoice is overdue past the suspension day and the subscription is suspended. It can still be paid, which reactivates the subscription. */
export interface InvoiceMarkedUncollectible {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice. */
  invoice_id: string;
  /** Its number. */
  number: string;
  /** The subscription billed. */
  subscription_id: string;
  /** What it still asks. In the currency's minor unit. */
  amount_due_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** When its first payment attempt failed (dunning's day 0). */
  first_failed_at: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
