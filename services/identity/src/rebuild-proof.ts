// The rebuild proof over a running identity database (issue 10, item 3; docs/architecture.md, "The
// rebuild proof"): `platform test` runs it on identity_e2e after the end-to-end tests, with the service's
// variables (DATABASE_URL, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, topics) and POSTGRES_ADMIN_URL.
// Destructive: the rebuilt copy stays.
import { rebuildProofMain } from "@platform/event-sourcing";
import { loadIdentityConfig } from "./config";
import { IdentityService } from "./service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "./tables";

const service = new IdentityService(loadIdentityConfig({ LOG_LEVEL: "warn", ...process.env }));
void rebuildProofMain("identity", service, { classes: TABLE_CLASSES, unreplayedColumns: UNREPLAYED_COLUMNS });
