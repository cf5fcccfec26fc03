// Generated from webhooks-value v1 by `platform-contracts types`; do not edit.

/** Group (B2B hierarchy node) the event is attributed to. Hierarchy: account > workspace > project; teams hang off an account or workspace. */
export interface GroupContext {
  /** Id of the group at the event's level, e.g. "acc_456", "ws_789", "proj_123", "team_42". */
  group_id: string;
  /** Level of group_id, lower-case: "account", "workspace", "project" or "team". A string (not an enum) so new levels can be added without a schema change; consumers must tolerate unknown values. */
  group_type: string;
  /** Id of the parent group (e.g. the workspace of a project, the account of a workspace). Null when group_type is "account" (top level). */
  parent_group_id: null | string;
}

/** Payload delivered to the customer. */
export interface WebhookPayload {
  /** Type of the object, e.g. "user", "account", "project", "invoice". */
  object_type: string;
  /** Id of the object. */
  object_id: string;
  /** What happened to the object, e.g. "created", "churn_risk_detected". */
  action: string;
  /** Object data as a JSON object text (serialized JSON, delivered verbatim as the HTTP body's data); "{}" when empty. A string so arbitrary customer-facing payloads need no schema change. */
  data: string;
}

/** HTTP delivery target. */
export interface DeliveryInfo {
  /** Customer endpoint URL (https). */
  url: string;
  /** HTTP method, normally "POST". */
  http_method: string;
  /** Content-Type of the request body. */
  content_type: string;
  /** Request timeout in seconds. */
  timeout_seconds: number;
}

/** Retry state and policy for delivery. */
export interface RetryInfo {
  /** Attempts made so far (0 before the first). */
  attempt: number;
  /** Attempts after which delivery is abandoned. */
  max_attempts: number;
  /** "exponential", "linear" or "fixed" (string, not enum, so strategies can be added). */
  retry_strategy: string;
  /** Multiplier for exponential backoff. */
  backoff_multiplier: number;
  /** Whether random jitter is added to retry delays. */
  jitter_enabled: boolean;
  /** When the next attempt is scheduled (UTC); null if none. */
  next_retry_at: null | number;
}

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
