import {
  type Actor,
  BillingEvent,
  type BillingPayloads,
  latestSchemasOf,
  loadContracts,
  SCHEMAS_ROOT,
} from "@platform/contracts";
import { EventCatalog } from "@platform/event-sourcing";

// billing's event types are generated from schemas/billing-events (@platform/contracts): a new record
// there is a new constant here, and no event name is typed by hand.
export { type Actor, BillingEvent, type BillingPayloads };

const contracts = loadContracts(SCHEMAS_ROOT);

export const billingSchemas = latestSchemasOf(contracts, "billing.events");
export const billingCatalog = new EventCatalog(Object.values(billingSchemas));

/** Reader schemas for everything billing projects: its own log, tenancy's (organizations), identity's (keys) and usage's (closed periods). */
export const projectedSchemas = {
  ...billingSchemas,
  ...latestSchemasOf(contracts, "tenancy.events"),
  ...latestSchemasOf(contracts, "identity.events"),
  ...latestSchemasOf(contracts, "usage.events"),
};

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, ip_address: null, user_agent: null };

/** A payload as a command decides it: the app adds account_id, occurred_at and actor. */
export type Decided<P> = Omit<P, "account_id" | "occurred_at" | "actor">;
