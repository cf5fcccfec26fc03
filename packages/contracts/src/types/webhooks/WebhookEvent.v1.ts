// Generated from webhooks-value v1 by `platform-contracts types`; do not edit.

import type { DeliveryInfo, GroupContext, RetryInfo, WebhookPayload } from "../shared";

export type { DeliveryInfo, GroupContext, RetryInfo, WebhookPayload };

/** A webhook notification to a customer's endpoint, multi-tenant (account_id) with user and group context. Public data product, stream webhooks. */
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
}
