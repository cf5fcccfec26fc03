import { type Actor, latestSchemasOf, loadContracts, SCHEMAS_ROOT, TenancyEvent } from "@platform/contracts";
import { EventCatalog } from "@platform/event-sourcing";

// tenancy's event types are generated from schemas/tenancy-events (@platform/contracts): a new
// record there is a new constant here, and no event name is typed by hand.
export { type Actor, TenancyEvent };

const contracts = loadContracts(SCHEMAS_ROOT);

export const tenancySchemas = latestSchemasOf(contracts, "tenancy.events");
export const tenancyCatalog = new EventCatalog(Object.values(tenancySchemas));

/** Reader schemas for everything tenancy projects: its own log, identity's and billing's. */
export const projectedSchemas = {
  ...tenancySchemas,
  ...latestSchemasOf(contracts, "identity.events"),
  ...latestSchemasOf(contracts, "billing.events"),
};

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, ip_address: null, user_agent: null };

/** A payload as a command decides it: the store adds account_id, occurred_at and actor. */
export type Decided<P> = Omit<P, "account_id" | "occurred_at" | "actor">;
