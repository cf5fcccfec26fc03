// Generated from analytics-value v1 by `platform-contracts types`; do not edit.

import type { DeviceContext, EventContext, GeoContext, GroupContext, PageContext, SessionContext } from "../shared";

export type { DeviceContext, EventContext, GeoContext, GroupContext, PageContext, SessionContext };

/** Analytics event for product/BI analytics, derived from user events. Every event carries account, user and group context. Public data product, stream analytics. */
export interface AnalyticsEvent {
  /** Unique id of this analytics event (UUID); consumers deduplicate on it. */
  event_id: string;
  /** event_id of the UserEvent (or other source event) this analytics event was derived from. Null when computed without a single source. */
  source_event_id: null | string;
  /** When the underlying activity happened (UTC, ms since epoch). */
  occurred_at: number;
  /** When the analytics pipeline produced this record (UTC). */
  processed_at: null | number;
  /** Tenant: the top-level account (organization) the event belongs to, e.g. "acc_456". Always present: there is no event without account context. Equals group.group_id when group.group_type is "account". */
  account_id: string;
  /** Stable id of the user who performed the action, e.g. "usr_123". Null for account-level/system events without a human actor. */
  user_id: null | string;
  /** Pre-identification device/browser id, when the actor was not (yet) signed in. Null otherwise. */
  anonymous_id: null | string;
  /** Role of the acting user in this account at the time of the event (e.g. "owner", "admin", "member", "viewer"). Null when user_id is null or unknown. */
  user_role: null | string;
  /** Pricing plan of the account when the event happened, e.g. "free", "pro", "enterprise". */
  account_plan: null | string;
  /** The group at the level where the event happened (the tracking plan's group_level): the account itself, or a workspace, project or team inside it. */
  group: GroupContext;
  /** Tracking-plan event name, lower-case object.action, e.g. "user.signed_in", "task.completed", "plan.upgraded". */
  event_name: string;
  /** Event category, e.g. "account", "user", "billing", "feature", "collaboration". */
  category: null | string;
  /** Action verb of the event, e.g. "signed_in", "completed", "upgraded". */
  action: null | string;
  /** Product feature involved, for feature-usage events. Null otherwise. */
  feature_name: null | string;
  /** Event-specific properties from the tracking plan (e.g. {"task_id": "task_456"}, {"from_plan": "pro", "to_plan": "enterprise"}). Values are strings: numbers and booleans are written in their JSON text form ("14", "true"), nested values as JSON text. Never contains raw e-mail addresses or secrets (hash them). */
  properties: Record<string, string>;
  /** Numeric measures of the event keyed by snake_case name with unit suffix, e.g. {"duration_ms": 1250, "items_count": 3}. */
  metrics: Record<string, number>;
  /** Where/how the event was captured. Every part is optional; server-side events usually leave page/device/geo null. */
  context: EventContext;
}
