// Generated from billing.events-platform.billing.PaymentFailed v1 by `platform-contracts types`; do not edit.

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

/** A payment attempt failed; it is retried until the last attempt, then the subscription is suspended. */
export interface PaymentFailed {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The invoice. */
  invoice_id: string;
  /** The attempt's id. */
  payment_id: string;
  /** Amount attempted. In the currency's minor unit. */
  amount_cents: number;
  /** ISO 4217 code. */
  currency: string;
  /** Attempt number, from 1. */
  attempt: number;
  /** Stable code, e.g. "card_declined". */
  failure_code: string;
  /** Processor message. */
  failure_message: null | string;
  /** When it is tried again; null after the last attempt. */
  next_retry_at: null | number;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
