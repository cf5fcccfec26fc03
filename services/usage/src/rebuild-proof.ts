// The rebuild proof over a running usage database (docs/architecture.md, "The rebuild proof"):
// `platform test` runs it on usage_e2e after the end-to-end tests, with the service's variables
// (DATABASE_URL, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, topics) and POSTGRES_ADMIN_URL. Destructive: the
// rebuilt copy stays.
import { rebuildProofMain } from "@platform/event-sourcing";
import { loadUsageConfig } from "./config";
import { UsageService } from "./service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "./tables";

// No closer run while the proof runs: a closing appends an event between the snapshots.
const service = new UsageService(
  loadUsageConfig({ LOG_LEVEL: "warn", ...process.env, USAGE_CLOSER_SECONDS: "86400" }),
);
void rebuildProofMain("usage", service, { classes: TABLE_CLASSES, unreplayedColumns: UNREPLAYED_COLUMNS });
