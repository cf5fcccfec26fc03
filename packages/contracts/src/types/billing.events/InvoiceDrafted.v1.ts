// Generated from billing.events-platform.billing.InvoiceDrafted v1 by `platform-contracts types`; do not edit.

import type { Actor, PlanSnapshot } from "../shared";

export type { Actor, PlanSnapshot };

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

/** An invoice was drafted at a billing moment (a trial's conversion, a renewal, an upgrade or a change of billing cycle). A draft has no number; it is finalized (InvoiceIssued) when due, a renewal's after the closed period's usage arrived or its grace period ended. */
export interface InvoiceDrafted {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice's id. */
  invoice_id: string;
  /** The subscription billed. */
  subscription_id: string;
  /** ISO 4217 code. */
  currency: string;
  /** "subscription_create", "subscription_cycle" or "subscription_update". */
  billing_reason: string;
  /** The lines known when drafted (base fee, prorations); overages and discounts are added at finalization. */
  lines: Array<InvoiceLine>;
  /** Billed period start. */
  period_start: number;
  /** Billed period end. */
  period_end: number;
  /** Start of the closed usage period whose overages the invoice bills (a renewal's previous period). */
  usage_period_start: null | number;
  /** End of that usage period. */
  usage_period_end: null | number;
  /** The plan the usage period was billed at, whose limits and charges price its overages. */
  usage_plan: null | PlanSnapshot;
  /** When it is finalized at the latest. */
  finalize_at: number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
