// Generated from billing.events-platform.billing.InvoicePaid v1 by `platform-contracts types`; do not edit.

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

/** An invoice was paid in full. */
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
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
