import {
  type Actor,
  latestSchemasOf,
  loadContracts,
  SCHEMAS_ROOT,
  UsageEvent,
  type UsagePayloads,
  type UsageReported,
} from "@platform/contracts";
import { EventCatalog } from "@platform/event-sourcing";
import { type AvroSchema, fullNameOf } from "@platform/messaging";

// usage's event types are generated from schemas/usage-events (@platform/contracts): a new record there
// is a new constant here, and no event name is typed by hand.
export { type Actor, UsageEvent, type UsagePayloads, type UsageReported };

const contracts = loadContracts(SCHEMAS_ROOT);

export const usageSchemas = latestSchemasOf(contracts, "usage.events");
export const usageCatalog = new EventCatalog(Object.values(usageSchemas));

/** The one record of usage.ingest (TopicNameStrategy: its subject is `usage.ingest-value`). */
export const [reportedSchema] = Object.values(latestSchemasOf(contracts, "usage.ingest")) as [AvroSchema];
/** The record's full name: the event-type header every usage.ingest record carries. */
export const USAGE_REPORTED = fullNameOf(reportedSchema);

/** Reader schemas for what usage projects: billing's periods, tenancy's members and projects, identity's keys. */
export const projectedSchemas = {
  ...latestSchemasOf(contracts, "billing.events"),
  ...latestSchemasOf(contracts, "tenancy.events"),
  ...latestSchemasOf(contracts, "identity.events"),
};

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, ip_address: null, user_agent: null };

/** The registry subject of usage.ingest's record (TopicNameStrategy, as schemas/topics.json declares it). */
export const REPORTED_SUBJECT = (topic: string): string => `${topic}-value`;
