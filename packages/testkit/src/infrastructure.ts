/**
 * Where the tests find Kafka, the schema registry and Postgres. The README's test command starts
 * them natively and exports these variables; on a machine with Docker and none of them set, the
 * jest global setup starts containers instead (see containers.ts). Nothing is ever skipped.
 */
export interface Infrastructure {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  /** A superuser connection, used only to create and drop per-test databases and roles. */
  postgresAdminUrl: string;
}

export const INFRASTRUCTURE_VARIABLES = [
  "KAFKA_BROKERS",
  "SCHEMA_REGISTRY_URL",
  "POSTGRES_ADMIN_URL",
] as const;

export class InfrastructureMissingError extends Error {
  constructor(missing: readonly string[]) {
    super(
      `tests need real infrastructure, but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set ` +
        "and no Docker engine is available for testcontainers. Start it with `bash infra/bin/platform infra` " +
        "and export the variables it prints, or run every test with `bash infra/bin/platform test`.",
    );
    this.name = "InfrastructureMissingError";
  }
}

export function missingInfrastructure(env: NodeJS.ProcessEnv = process.env): string[] {
  return INFRASTRUCTURE_VARIABLES.filter((name) => !env[name]);
}

export function infrastructure(env: NodeJS.ProcessEnv = process.env): Infrastructure {
  const missing = missingInfrastructure(env);
  if (missing.length > 0) throw new InfrastructureMissingError(missing);
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? "")
      .split(",")
      .map((broker) => broker.trim())
      .filter(Boolean),
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL ?? "",
    postgresAdminUrl: env.POSTGRES_ADMIN_URL ?? "",
  };
}
