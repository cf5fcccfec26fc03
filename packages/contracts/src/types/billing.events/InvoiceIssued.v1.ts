// Generated from billing.events-platform.billing.InvoiceIssued v1 by `platform-contracts types`; do not edit.

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
}

/** An invoice was issued: base price, overages from usage, discounts. */
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
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
