import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { SchemaEngineError } from "./errors";
import { type LayoutOverrides, loadSchemaFiles, resolveServiceLayout } from "./layout";
import {
  deployMigrations,
  MIGRATION_LOCK_CONTENT,
  MIGRATION_LOCK_FILE,
  MIGRATION_SCRIPT,
  readMigrations,
} from "./migrations";
import { diffToSchema } from "./schema-engine";
import { withScratchDatabase } from "./scratch";

export interface DriftOptions extends LayoutOverrides {
  /** The service folder (holds prisma.config.ts and prisma/). */
  serviceDir: string;
  /** A connection allowed to CREATE DATABASE; scratch databases are created and dropped through it. */
  adminUrl: string;
}

/**
 * Applies the service's migrations to a fresh scratch database and returns the SQL still needed to reach
 * its Prisma schema: "" when the migrations and the schema agree. Each service's test suite calls this,
 * so a schema change without its migration (or a hand-edited migration that diverges) fails a test.
 */
export async function checkDrift(options: DriftOptions): Promise<string> {
  const layout = resolveServiceLayout(options.serviceDir, options);
  const schemaFiles = await loadSchemaFiles(layout.schemaPath);
  return withScratchDatabase(options.adminUrl, async (scratch) => {
    await deployMigrations({ databaseUrl: scratch.url, migrationsDir: layout.migrationsDir });
    return diffToSchema({ from: "database", url: scratch.url, schemaFiles, configDir: layout.serviceDir });
  });
}

export interface CreateMigrationOptions extends DriftOptions {
  /** Descriptive part of the folder name, e.g. `add_things`. */
  name: string;
  /** Write a migration even when the schema has no changes (for hand-written SQL). Default false. */
  allowEmpty?: boolean;
  /** Apply all migrations to another scratch database afterwards and check that no drift is left. Default true. */
  verify?: boolean;
  /** Clock for the folder's timestamp (tests). */
  now?: Date;
}

export interface CreatedMigration {
  migrationName: string;
  migrationDir: string;
  sql: string;
}

/**
 * `prisma migrate dev --create-only` without the native engine: writes
 * `prisma/migrations/<UTC timestamp>_<name>/migration.sql` with the SQL that takes the current migrations
 * to the current schema (and migration_lock.toml when missing). Returns null when there is nothing to
 * migrate and `allowEmpty` is not set.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<CreatedMigration | null> {
  const layout = resolveServiceLayout(options.serviceDir, options);
  const sql = await checkDrift(options);
  if (sql === "" && !options.allowEmpty) return null;
  const existing = await readMigrations(layout.migrationsDir);
  const migrationName = `${nextTimestamp(options.now ?? new Date(), existing.at(-1)?.name)}_${slug(options.name)}`;
  const migrationDir = path.join(layout.migrationsDir, migrationName);
  const script = sql === "" ? "-- This is an empty migration.\n" : sql;
  await mkdir(migrationDir, { recursive: true });
  await writeFile(path.join(migrationDir, MIGRATION_SCRIPT), script);
  const lockPath = path.join(layout.migrationsDir, MIGRATION_LOCK_FILE);
  if (!existsSync(lockPath)) await writeFile(lockPath, MIGRATION_LOCK_CONTENT);
  if (options.verify ?? true) {
    let remaining: string;
    try {
      remaining = await checkDrift(options);
    } catch (error) {
      await rm(migrationDir, { recursive: true, force: true });
      throw new SchemaEngineError(
        `the generated migration did not apply cleanly, so it was not kept: ${error instanceof Error ? error.message : String(error)}\n\n${script}`,
      );
    }
    if (remaining !== "") {
      await rm(migrationDir, { recursive: true, force: true });
      throw new SchemaEngineError(
        `after the generated migration the schema still differs, so it was not kept. Generated:\n${script}\nStill missing:\n${remaining}`,
      );
    }
  }
  return { migrationName, migrationDir, sql: script };
}

function slug(name: string): string {
  const cleaned = name
    .trim()
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  if (cleaned === "")
    throw new SchemaEngineError(`migration name ${JSON.stringify(name)} has no usable characters`);
  return cleaned.slice(0, 200);
}

/** Prisma's `YYYYMMDDHHMMSS` (UTC), moved past the last existing migration so that folder order is kept. */
function nextTimestamp(now: Date, lastName: string | undefined): string {
  let time = Math.floor(now.getTime() / 1000) * 1000;
  const last = lastName ? /^(\d{14})_/.exec(lastName)?.[1] : undefined;
  if (last) {
    const lastTime = Date.UTC(
      Number(last.slice(0, 4)),
      Number(last.slice(4, 6)) - 1,
      Number(last.slice(6, 8)),
      Number(last.slice(8, 10)),
      Number(last.slice(10, 12)),
      Number(last.slice(12, 14)),
    );
    if (time <= lastTime) time = lastTime + 1000;
  }
  return new Date(time).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
