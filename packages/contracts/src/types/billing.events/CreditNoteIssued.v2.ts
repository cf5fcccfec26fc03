// Generated from billing.events-platform.billing.CreditNoteIssued v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A correction of a finalized invoice: a credit note for part or all of what it has not yet credited. An open invoice's amount due goes down by it; a paid invoice's credit is owed to the customer. Invoices are never edited. v2 adds what it credits to the customer's balance. */
export interface CreditNoteIssued {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The credit note's id. */
  credit_note_id: string;
  /** Its number, e.g. "CN-2026-000007" (its own gapless series). */
  number: string;
  /** The invoice corrected. */
  invoice_id: string;
  /** The corrected invoice's number. */
  invoice_number: string;
  /** The subscription the invoice billed. */
  subscription_id: string;
  /** Amount credited. In the currency's minor unit. */
  amount_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** Why, as the person issuing it wrote it. */
  reason: string;
  /** What the invoice still asks after this credit note (0 for a paid invoice). In the currency's minor unit. */
  amount_due_cents: number;
  /** What the credit note adds to the customer's balance, applied to the next invoices: the part beyond what the invoice still asked (all of it on a paid invoice). In the currency's minor unit; 0 before v2. */
  balance_credit_cents: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
