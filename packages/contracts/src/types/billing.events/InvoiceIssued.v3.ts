// Generated from billing.events-platform.billing.InvoiceIssued v3 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** One line of the invoice. */
export interface InvoiceLine {
  /** "base", "overage", "proration" or "discount". */
  kind: string;
  /** What the line is for. */
  description: string;
  /** Metered metric, for overage lines. */
  metric: null | string;
  /** Units billed. */
  quantity: number;
  /** Price per unit, decimal string in the major unit. */
  unit_price: string;
  /** Line total (negative for discounts). In the currency's minor unit. */
  amount_cents: number;
  /** Start of the period the line bills; null before v2. */
  period_start: null | number;
  /** End of the period the line bills; null before v2. */
  period_end: null | number;
}

/** An invoice was finalized and issued with its number: base fee in advance, overages in arrears, prorations, discounts. v2 adds each line's period, why it was issued, the issuer, the usage period it bills, the discounts used and the credit carried to the customer's balance. v3 adds the customer balance applied to it and the usage adjustments it bills. */
export interface InvoiceIssued {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice's id. */
  invoice_id: string;
  /** Human invoice number, e.g. "INV-2026-000123". */
  number: string;
  /** The subscription billed. */
  subscription_id: string;
  /** ISO 4217 code. */
  currency: string;
  /** Invoice lines. */
  lines: Array<InvoiceLine>;
  /** Sum before discounts. In the currency's minor unit. */
  subtotal_cents: number;
  /** Discounts. In the currency's minor unit. */
  discount_cents: number;
  /** Amount due. In the currency's minor unit. */
  total_cents: number;
  /** Billed period start. */
  period_start: number;
  /** Billed period end. */
  period_end: number;
  /** Payment due date. */
  due_at: number;
  /** Why it was issued: "subscription_create" (a trial converted), "subscription_cycle" (a renewal), "subscription_update" (an upgrade or a change of billing cycle); null before v2. */
  billing_reason: null | string;
  /** Who issues it: the number series' owner (the numbers are gapless per issuer and year); null before v2. */
  issuer: null | string;
  /** Start of the closed usage period whose overages it bills, if any. */
  usage_period_start: null | number;
  /** End of the closed usage period whose overages it bills, if any. */
  usage_period_end: null | number;
  /** The discounts that reduced it, in the order applied. */
  discount_ids: Array<string>;
  /** A credit beyond the charges (unused time on a cheaper choice), carried to the customer's balance instead of paid out. In the currency's minor unit. */
  credit_carried_cents: number;
  /** The customer's balance (credit carried from earlier invoices and credit notes) applied to this invoice: the amount due is total − applied balance, never below 0. In the currency's minor unit; 0 before v3. */
  applied_balance_cents: number;
  /** The usage adjustments (UsageAdjustmentRecorded, by adjustment id) billed on this invoice as adjustment lines, each billed once. */
  usage_adjustment_ids: Array<string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
