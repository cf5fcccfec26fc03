// Generated from analytics-value v1 by `platform-contracts types`; do not edit.

/** Group (B2B hierarchy node) the event is attributed to. Hierarchy: account > workspace > project; teams hang off an account or workspace. */
export interface GroupContext {
  /** Id of the group at the event's level, e.g. "acc_456", "ws_789", "proj_123", "team_42". */
  group_id: string;
  /** Level of group_id, lower-case: "account", "workspace", "project" or "team". A string (not an enum) so new levels can be added without a schema change; consumers must tolerate unknown values. */
  group_type: string;
  /** Id of the parent group (e.g. the workspace of a project, the account of a workspace). Null when group_type is "account" (top level). */
  parent_group_id: null | string;
}

/** Web page the event happened on. */
export interface PageContext {
  /** Full URL, with query string stripped of secrets. */
  url: null | string;
  /** URL path, e.g. "/projects/proj_123/tasks". */
  path: null | string;
  /** Referring URL. */
  referrer: null | string;
  /** Document title. */
  title: null | string;
}

/** Device and client the event came from. */
export interface DeviceContext {
  /** "desktop", "mobile", "tablet", "server"… */
  device_type: null | string;
  /** Operating system name and version. */
  os: null | string;
  /** Browser name and version. */
  browser: null | string;
  /** Version of our client app/SDK that captured the event. */
  app_version: null | string;
}

/** Coarse location derived at ingestion (never the raw IP). */
export interface GeoContext {
  /** ISO 3166-1 alpha-2 country code, e.g. "DE". */
  country: null | string;
  /** Region/state name or ISO 3166-2 code. */
  region: null | string;
  /** City name. */
  city: null | string;
}

/** User session the event belongs to. */
export interface SessionContext {
  /** Session id. */
  session_id: string;
  /** When the session started (UTC). */
  session_started_at: null | number;
}

/** Capture context of an event. */
export interface EventContext {
  /** Web page context; null for server-side or non-web events. */
  page: null | PageContext;
  /** Device context; null when unknown. */
  device: null | DeviceContext;
  /** Coarse geographic context; null when unknown or not consented. */
  geo: null | GeoContext;
  /** Session context; null for events outside a session (API, system). */
  session: null | SessionContext;
  /** BCP 47 locale of the user interface, e.g. "en-US". */
  locale: null | string;
  /** IANA time zone of the user, e.g. "Europe/Berlin". */
  timezone: null | string;
  /** Channel that produced the event: "web", "mobile", "api", "server", "integration"… */
  source: null | string;
}

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
