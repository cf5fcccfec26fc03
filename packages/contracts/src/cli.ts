// platform-contracts apply: run by `infra/bin/platform infra` once Kafka and the registry answer.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createKafka } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { applyContracts } from "./apply";
import { renderCatalog } from "./catalog";
import { loadContracts } from "./contracts";
import { writeMissingGoldenSamples } from "./golden";
import { renderTypeModules } from "./typescript";

async function main(argv: string[]): Promise<void> {
  const contracts = loadContracts(join(__dirname, "../../../schemas"));
  if (argv[0] === "catalog") {
    writeFileSync(join(__dirname, "../../../docs/topics.md"), renderCatalog(contracts));
    console.log("contracts: wrote docs/topics.md");
    return;
  }
  if (argv[0] === "types") {
    const root = join(__dirname, "types");
    rmSync(root, { recursive: true, force: true });
    for (const [file, content] of renderTypeModules(contracts)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), content);
    }
    console.log(`contracts: wrote TypeScript types to ${root}`);
    return;
  }
  if (argv[0] === "samples") {
    for (const file of writeMissingGoldenSamples(contracts)) console.log(`contracts: wrote ${file}`);
    return;
  }
  if (argv[0] !== "apply") {
    console.error(
      "usage: platform-contracts apply | samples | catalog | types\n  apply    topics and schema versions (KAFKA_BROKERS, SCHEMA_REGISTRY_URL)\n  samples  golden samples for versions that have none\n  catalog  regenerate docs/topics.md\n  types    regenerate src/types (version modules, shared types, event catalogs)",
    );
    process.exit(2);
  }
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL } = process.env;
  if (!KAFKA_BROKERS || !SCHEMA_REGISTRY_URL) {
    console.error("platform-contracts: KAFKA_BROKERS and SCHEMA_REGISTRY_URL must be set");
    process.exit(2);
  }
  const logger = createLogger({ name: "platform-contracts", level: "warn" });
  const kafka = createKafka({ brokers: KAFKA_BROKERS.split(","), clientId: "platform-contracts", logger });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await applyContracts({
      admin,
      registryUrl: SCHEMA_REGISTRY_URL,
      contracts,
      log: (line) => console.log(`contracts: ${line}`),
    });
  } finally {
    await admin.disconnect();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`platform-contracts: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
