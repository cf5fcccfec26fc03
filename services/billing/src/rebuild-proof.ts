// The rebuild proof over a running billing database (issue 10, item 3; docs/architecture.md, "The
// rebuild proof"): `platform test` runs it on billing_e2e after the end-to-end tests. Needs the
// service's variables (DATABASE_URL, KAFKA_BROKERS, SCHEMA_REGISTRY_URL, topics) and POSTGRES_ADMIN_URL,
// whose credentials read the rows row-level security would hide. Destructive: the rebuilt copy stays.
import { runRebuildProof } from "@platform/event-sourcing";
import { loadBillingConfig } from "./config";
import { BillingService } from "./service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "./tables";

void (async () => {
  // No scheduler run while the proof runs: a due step appends events between the snapshots.
  const config = loadBillingConfig({ LOG_LEVEL: "warn", ...process.env, BILLING_SCHEDULER_SECONDS: "86400" });
  const adminUrl = process.env.POSTGRES_ADMIN_URL;
  if (!adminUrl) throw new Error("POSTGRES_ADMIN_URL is required: the proof reads every tenant's rows");
  const service = new BillingService(config);
  const code = await runRebuildProof({
    service: "billing",
    databaseUrl: config.DATABASE_URL,
    adminUrl,
    classes: TABLE_CLASSES,
    unreplayedColumns: UNREPLAYED_COLUMNS,
    // Finishes what the service left pending (relay, read models, the trial process), so the live copy is whole.
    prepare: async () => {
      await service.start();
      await service.startWorkers();
      await service.settled();
    },
    rebuild: () => service.rebuildAll(),
    stop: () => service.stop(),
  });
  // Kafka's clients may keep timers alive after disconnecting: the exit code is the answer.
  process.exit(code);
})();
