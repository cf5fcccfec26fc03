// The rebuild proof over a running billing database (issue 10, item 3; docs/architecture.md, "The
// rebuild proof"): `platform test` runs it on billing_e2e after the end-to-end tests, with the service's
// variables (DATABASE_URL, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, topics) and POSTGRES_ADMIN_URL.
// Destructive: the rebuilt copy stays.
import { rebuildProofMain } from "@platform/event-sourcing";
import { loadBillingConfig } from "./config";
import { BillingService } from "./service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "./tables";

// No scheduler run while the proof runs: a due step appends events between the snapshots.
const service = new BillingService(
  loadBillingConfig({ LOG_LEVEL: "warn", ...process.env, BILLING_SCHEDULER_SECONDS: "86400" }),
);
void rebuildProofMain("billing", service, { classes: TABLE_CLASSES, unreplayedColumns: UNREPLAYED_COLUMNS });
