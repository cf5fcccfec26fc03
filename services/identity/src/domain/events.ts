import { type Actor, IdentityEvent, latestSchemasOf, loadContracts, SCHEMAS_ROOT } from "@platform/contracts";
import { EventCatalog } from "@platform/event-sourcing";

// identity's event types are generated from schemas/identity-events (@platform/contracts): a new
// record there is a new constant here, and no event name is typed by hand.
export { type Actor, IdentityEvent };

export const identitySchemas = latestSchemasOf(loadContracts(SCHEMAS_ROOT), "identity.events");
export const identityCatalog = new EventCatalog(Object.values(identitySchemas));

export const SYSTEM_ACTOR: Actor = { type: "system", id: null, ip_address: null, user_agent: null };
