// Generated from billing.events-platform.billing.InvoiceIssued v1 by `platform-contracts types`; do not edit.

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

/** Who caused the event and from where: the audit trail's who and from-where. */
export interface Actor {
  /** Kind of actor: "user", "api_key", "scim", "sso" (an identity provider), or "system" (jobs, projections). */
  type: string;
  /** Id of the user, API key, SCIM token or SSO connection; null for "system". */
  id: null | string;
  /** Client address the request came from; null when not caused by a request. */
  ip_address: null | string;
  /** Client user agent; null when not caused by a request. */
  user_agent: null | string;
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
