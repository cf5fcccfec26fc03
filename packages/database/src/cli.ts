#!/usr/bin/env node
/**
 * platform-db: Prisma migrations for the platform's services without Prisma's native schema engine.
 * Run as `platform-db <command>` (package bin) or `tsx packages/database/src/cli.ts <command>`.
 */
import { parseArgs } from "node:util";
import { PlatformError } from "@platform/errors";
import { checkDrift, createMigration } from "./drift";
import { generateClient } from "./generate";
import { loadSchemaFiles, resolveServiceLayout } from "./layout";
import { deployMigrations, type MigrationLogger, migrationStatus, resolveMigration } from "./migrations";
import { diffToSchema } from "./schema-engine";
import { tenantTableSql } from "./tenant";

const USAGE = `usage: platform-db <command> --service-dir <dir> [options]

commands:
  migrate:new      --name <name> [--empty] [--no-verify]
                   write prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from the current
                   migrations to the current schema (needs an admin URL for a scratch database)
  migrate:check    exit 1 and print the SQL when the migrations do not produce the schema (admin URL)
  migrate:deploy   apply pending migrations (like prisma migrate deploy) to --database-url / DATABASE_URL
  migrate:status   list each migration as applied, pending, failed or edited (--database-url / DATABASE_URL)
  migrate:resolve  --applied <migration> | --rolled-back <migration>   (like prisma migrate resolve)
  migrate:sql      print the SQL that creates the whole schema from an empty database (connects to the
                   admin URL, reads and writes nothing)
  generate         prisma generate for the service, offline
  tenant:sql       --table <table> [--lookup-by <column> | --lookup-all]   (no --service-dir)
                   print the row-level-security SQL that makes <table> a tenant table, with the lookup
                   policy of a declared cross-tenant table; paste it into the table's migration

options:
  --service-dir <dir>      the service folder (prisma.config.ts, prisma/schema.prisma, prisma/migrations)
  --schema <path>          schema file or folder, relative to the service (default prisma/schema.prisma or prisma/schema/)
  --migrations-dir <path>  default prisma/migrations
  --admin-url <url>        connection allowed to CREATE DATABASE (default: POSTGRES_ADMIN_URL)
  --database-url <url>     target database (default: DATABASE_URL)
`;

class UsageError extends Error {}

const consoleLogger: MigrationLogger = {
  info: (fields, message) => console.error(`${message} ${JSON.stringify(fields)}`),
  warn: (fields, message) => console.error(`warning: ${message} ${JSON.stringify(fields)}`),
};

function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "service-dir": { type: "string" },
      schema: { type: "string" },
      "migrations-dir": { type: "string" },
      "admin-url": { type: "string" },
      "database-url": { type: "string" },
      name: { type: "string" },
      empty: { type: "boolean" },
      "no-verify": { type: "boolean" },
      applied: { type: "string" },
      "rolled-back": { type: "string" },
      table: { type: "string" },
      "lookup-by": { type: "string" },
      "lookup-all": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === "tenant:sql") {
    const table = required(values.table, "--table");
    const lookupBy = values["lookup-by"] ?? (values["lookup-all"] ? null : undefined);
    const crossTenant = lookupBy === undefined ? undefined : { table, lookupBy, reason: "" };
    process.stdout.write(tenantTableSql(table, crossTenant));
    return 0;
  }
  const serviceDir = required(values["service-dir"], "--service-dir");
  const overrides = { schemaPath: values.schema, migrationsDir: values["migrations-dir"] };
  const layout = resolveServiceLayout(serviceDir, overrides);
  const adminUrl = () =>
    required(values["admin-url"] ?? process.env.POSTGRES_ADMIN_URL, "--admin-url or POSTGRES_ADMIN_URL");
  const databaseUrl = () =>
    required(values["database-url"] ?? process.env.DATABASE_URL, "--database-url or DATABASE_URL");

  switch (command) {
    case "migrate:new": {
      const created = await createMigration({
        serviceDir,
        ...overrides,
        adminUrl: adminUrl(),
        name: required(values.name, "--name"),
        allowEmpty: values.empty ?? false,
        verify: !values["no-verify"],
      });
      if (!created) {
        console.error(
          "The migrations already produce the schema: no migration written (use --empty for hand-written SQL).",
        );
        return 0;
      }
      process.stdout.write(created.sql);
      console.error(`\nwrote ${created.migrationDir}/migration.sql`);
      return 0;
    }
    case "migrate:check": {
      const drift = await checkDrift({ serviceDir, ...overrides, adminUrl: adminUrl() });
      if (drift === "") {
        console.error(`${layout.migrationsDir} produces ${layout.schemaPath}: no drift.`);
        return 0;
      }
      console.error(
        `Drift: the migrations do not produce the schema. SQL still needed (run platform-db migrate:new):\n`,
      );
      process.stdout.write(drift);
      return 1;
    }
    case "migrate:deploy": {
      const result = await deployMigrations({
        databaseUrl: databaseUrl(),
        migrationsDir: layout.migrationsDir,
        logger: consoleLogger,
      });
      console.error(
        result.applied.length === 0
          ? "No pending migrations."
          : `Applied ${result.applied.length} migration(s):\n${result.applied.map((name) => `  ${name}`).join("\n")}`,
      );
      return 0;
    }
    case "migrate:status": {
      const status = await migrationStatus({
        databaseUrl: databaseUrl(),
        migrationsDir: layout.migrationsDir,
      });
      for (const entry of status) process.stdout.write(`${entry.state.padEnd(8)} ${entry.name}\n`);
      return status.every((entry) => entry.state === "applied") ? 0 : 1;
    }
    case "migrate:resolve": {
      const applied = values.applied;
      const rolledBack = values["rolled-back"];
      if ((applied ? 1 : 0) + (rolledBack ? 1 : 0) !== 1)
        throw new UsageError("give exactly one of --applied or --rolled-back");
      await resolveMigration({
        databaseUrl: databaseUrl(),
        migrationsDir: layout.migrationsDir,
        action: applied ? "applied" : "rolled-back",
        migrationName: (applied ?? rolledBack) as string,
      });
      console.error(`Marked ${applied ?? rolledBack} as ${applied ? "applied" : "rolled back"}.`);
      return 0;
    }
    case "migrate:sql": {
      const schemaFiles = await loadSchemaFiles(layout.schemaPath);
      process.stdout.write(
        await diffToSchema({ from: "empty", url: adminUrl(), schemaFiles, configDir: layout.serviceDir }),
      );
      return 0;
    }
    case "generate": {
      await generateClient(serviceDir, { inherit: true });
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** Runs the CLI and sets the exit code: 0 success, 1 failure or drift, 2 usage error. */
export function run(argv: string[]): Promise<void> {
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
        console.error(`platform-db: ${(error as Error).message}\n\n${USAGE}`);
        process.exitCode = 2;
        return;
      }
      console.error(error instanceof PlatformError ? `platform-db: ${error.message}` : error);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) void run(process.argv.slice(2));
