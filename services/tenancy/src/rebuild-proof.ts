// The rebuild proof over a running tenancy database (issue 10, item 3; docs/architecture.md, "The
// rebuild proof"): `platform test` runs it on tenancy_e2e after the end-to-end tests, with the service's
// variables (DATABASE_URL, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, topics) and POSTGRES_ADMIN_URL.
// Destructive: the rebuilt copy stays.
import { rebuildProofMain } from "@platform/event-sourcing";
import { loadTenancyConfig } from "./config";
import { TenancyService } from "./service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "./tables";

// No SLA sweep while the proof runs: a sweep appends events between the snapshots.
const service = new TenancyService(
  loadTenancyConfig({ LOG_LEVEL: "warn", ...process.env, SLA_SWEEP_SECONDS: "86400" }),
);
void rebuildProofMain("tenancy", service, { classes: TABLE_CLASSES, unreplayedColumns: UNREPLAYED_COLUMNS });
