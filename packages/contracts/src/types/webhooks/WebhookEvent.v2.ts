// Generated from webhooks-value v2 by `platform-contracts types`; do not edit.

import type { DeliveryInfo, GroupContext, RetryInfo, WebhookPayload } from "../shared";

export type { DeliveryInfo, GroupContext, RetryInfo, WebhookPayload };

/** Subscription filter match. */
export interface WebhookFiltering {
  /** Event-type patterns the subscription listens to, e.g. ["user.*", "plan.upgraded"]; empty = all. */
  event_type_filters: Array<string>;
  /** The pattern from event_type_filters that matched this event. */
  matched_filter: null | string;
  /** Additional property filter of the subscription (e.g. group_id = "ws_789"), as text. */
  filter_expression: null | string;
}

/** Signature metadata. */
export interface WebhookSecurity {
  /** Signature algorithm, e.g. "hmac-sha256". */
  signature_method: null | string;
  /** Id of the signing secret/key (for rotation), never the secret. */
  signing_key_id: null | string;
  /** Timestamp included in the signature (UTC), for replay protection. */
  signed_at: null | number;
  /** Maximum age the receiver should accept for signed_at. */
  tolerance_seconds: null | number;
}

/** Webhook delivery status. */
export type DeliveryStatus = "PENDING" | "SENDING" | "SUCCESS" | "FAILED" | "RETRYING" | "ABANDONED";

/** Delivery status and metrics. */
export interface DeliveryTracking {
  /** Delivery status. Readers map unknown future symbols to PENDING (enum default). */
  status: DeliveryStatus;
  /** HTTP status code of the latest attempt; null if no response. */
  response_code: null | number;
  /** Duration of the latest attempt in ms. */
  delivery_duration_ms: null | number;
  /** Error of the latest failed attempt (e.g. "HTTP 503", "timeout"). */
  error_message: null | string;
  /** When the latest attempt was made (UTC). */
  last_attempt_at: null | number;
}

/** A webhook notification to a customer's endpoint, multi-tenant (account_id) with user and group context. Public data product, stream webhooks. v2 adds filtering, security and delivery_tracking (all defaulted). */
export interface WebhookEvent {
  /** Unique id of this webhook event (UUID). Sent to the customer as the idempotency key; the same across retries. */
  event_id: string;
  /** Id of the customer's webhook subscription (endpoint) this event is addressed to. */
  webhook_id: string;
  /** event_id of the platform event that triggered this webhook. Null if not event-triggered (e.g. test pings). */
  source_event_id: null | string;
  /** When the triggering business event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** When this webhook event was created for delivery (UTC). */
  created_at: number;
  /** Tenant: the top-level account (organization) the event belongs to, e.g. "acc_456". Always present: there is no event without account context. Equals group.group_id when group.group_type is "account". */
  account_id: string;
  /** Stable id of the user who performed the action, e.g. "usr_123". Null for system-triggered webhooks (no human actor). */
  user_id: null | string;
  /** Pre-identification device/browser id, when the actor was not (yet) signed in. Null otherwise. */
  anonymous_id: null | string;
  /** Role of the acting user in this account at the time of the event (e.g. "owner", "admin", "member", "viewer"). Null when user_id is null or unknown. */
  user_role: null | string;
  /** The group at the level where the event happened (the tracking plan's group_level): the account itself, or a workspace, project or team inside it. */
  group: GroupContext;
  /** Webhook event type the customer subscribes to, lower-case object.action, e.g. "user.at_risk", "plan.upgraded". */
  event_type: string;
  /** The business object the webhook is about. */
  payload: WebhookPayload;
  /** Where and how the webhook is delivered. */
  delivery_info: DeliveryInfo;
  /** Retry state and policy. */
  retry_info: RetryInfo;
  /** How this event matched the subscription's filters (added in v2). */
  filtering: WebhookFiltering;
  /** How the delivery is signed (added in v2). Never contains secrets or the signature itself. */
  security: WebhookSecurity;
  /** Delivery outcome of the latest attempt (added in v2). */
  delivery_tracking: DeliveryTracking;
}
