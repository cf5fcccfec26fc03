// Generated from usage.ingest-value v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** AMEND: the counted event's quantity becomes this record's quantity. VOID: the counted event leaves every total. */
export type UsageCorrection = "AMEND" | "VOID";

/** One metered usage event as a caller reported it (HTTP or a backend producing to usage.ingest), before it is counted: the usage service counts each (account_id, idempotency_key) once, ever. A record with a correction amends or voids the event already counted under its idempotency_key, within the open period. */
export interface UsageReported {
  /** Tenant: the organization (account) the usage belongs to; also the record key. */
  account_id: string;
  /** The caller's key, unique within the account: a repeat is never counted twice (CloudEvents: JSON [source, id]). */
  idempotency_key: string;
  /** The meter it counts toward: "api_calls", "storage_gb" or another meter of the usage service's catalog. */
  metric: string;
  /** Units used (SUM), the gauge's value (LATEST, MAX); at least 0. */
  quantity: number;
  /** Free-form dimensions (e.g. endpoint, region, user_id); UNIQUE_COUNT meters count distinct values of one of them. */
  dimensions: Record<string, string>;
  /** CloudEvents source of the event, when it came in that form; null otherwise. */
  source: null | string;
  /** CloudEvents subject (OpenMeter: the metered entity), when given; null otherwise. */
  subject: null | string;
  /** When the usage happened (UTC, ms since epoch): it decides the billing period it counts in. */
  occurred_at: number;
  /** Who reported it: the API key or person for HTTP, the backend's system actor for the topic. */
  actor: Actor;
  /** null for a usage event; AMEND or VOID for a correction of the event counted under the same idempotency_key (metric and occurred_at are that event's). A correction that reaches the count after the event's period closed changes nothing. */
  correction: null | UsageCorrection;
}
