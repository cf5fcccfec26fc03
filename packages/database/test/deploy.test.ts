import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Client } from "pg";
import {
  DatabaseNotEmptyError,
  deployMigrations,
  FailedMigrationInHistoryError,
  MigrationChecksumMismatchError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  migrationStatus,
  PRISMA_ADVISORY_LOCK_KEY,
  readMigrations,
  resolveMigration,
} from "../src";
import {
  copyFixture,
  dropScratchDatabases,
  fixtureMigrationsDir,
  query,
  rejectionOf,
  scratchDatabase,
} from "./helpers";

afterAll(dropScratchDatabases);

interface HistoryRow extends Record<string, unknown> {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

const history = (url: string) =>
  query<HistoryRow>(url, "SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name");

const tablesOf = async (url: string) =>
  (
    await query<{ name: string }>(
      url,
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
  ).map((row) => row.name);

describe("deployMigrations", () => {
  it("applies the migrations once, in folder order, and a second run applies nothing", async () => {
    const db = await scratchDatabase();
    const names = (await readMigrations(fixtureMigrationsDir)).map((migration) => migration.name);
    expect(names).toHaveLength(2);

    const first = await deployMigrations({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir });
    expect(first).toEqual({ applied: names, alreadyApplied: [] });
    const second = await deployMigrations({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir });
    expect(second).toEqual({ applied: [], alreadyApplied: names });

    expect(await tablesOf(db.url)).toEqual(["_prisma_migrations", "accounts", "sessions"]);
    const rows = await history(db.url);
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const script = await readFile(path.join(fixtureMigrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(script).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(await migrationStatus({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir })).toEqual(
      names.map((name) => ({ name, state: "applied" })),
    );
  });

  it("creates _prisma_migrations exactly as Prisma's Postgres connector does", async () => {
    const db = await scratchDatabase();
    await deployMigrations({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir });
    const columns = await query(
      db.url,
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      {
        column_name: "id",
        data_type: "character varying",
        length: 36,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "checksum",
        data_type: "character varying",
        length: 64,
        is_nullable: "NO",
        column_default: null,
      },
      {
        column_name: "finished_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "migration_name",
        data_type: "character varying",
        length: 255,
        is_nullable: "NO",
        column_default: null,
      },
      { column_name: "logs", data_type: "text", length: null, is_nullable: "YES", column_default: null },
      {
        column_name: "rolled_back_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "started_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "NO",
        column_default: "now()",
      },
      {
        column_name: "applied_steps_count",
        data_type: "integer",
        length: null,
        is_nullable: "NO",
        column_default: "0",
      },
    ]);
    const constraints = await query(
      db.url,
      `SELECT conname, contype::text AS type, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass ORDER BY conname`,
    );
    expect(constraints).toEqual([
      { conname: "_prisma_migrations_pkey", type: "p", definition: "PRIMARY KEY (id)" },
    ]);
  });

  it("rejects an applied migration whose migration.sql changed, and applies nothing", async () => {
    const db = await scratchDatabase();
    const service = await copyFixture();
    try {
      const migrationsDir = path.join(service.dir, "prisma", "migrations");
      await deployMigrations({ databaseUrl: db.url, migrationsDir });
      const [first] = await readMigrations(migrationsDir);
      if (!first) throw new Error("fixture has no migrations");

      // Line endings alone are not a change (git may check files out with CRLF), as in Prisma.
      await writeFile(first.sqlPath, first.script.replaceAll("\n", "\r\n"));
      await deployMigrations({ databaseUrl: db.url, migrationsDir });

      await writeFile(first.sqlPath, `${first.script}\nALTER TABLE accounts ADD COLUMN sneaky TEXT;\n`);
      await addMigration(migrationsDir, "29990101000000_later", "CREATE TABLE later (id INT);");
      const error = await rejectionOf(deployMigrations({ databaseUrl: db.url, migrationsDir }));
      expect(error).toBeInstanceOf(MigrationChecksumMismatchError);
      expect((error as MigrationChecksumMismatchError).migrationNames).toEqual([first.name]);
      expect((error as Error).message).toContain(first.name);
      expect(await tablesOf(db.url)).not.toContain("later");
      const status = await migrationStatus({ databaseUrl: db.url, migrationsDir });
      expect(status.map((entry) => entry.state)).toEqual(["edited", "applied", "pending"]);
    } finally {
      await service.remove();
    }
  });

  it("records a failing migration like Prisma, rolls it back whole, and blocks later deploys until resolved", async () => {
    const db = await scratchDatabase();
    const service = await copyFixture();
    try {
      const migrationsDir = path.join(service.dir, "prisma", "migrations");
      await deployMigrations({ databaseUrl: db.url, migrationsDir });
      const broken = "29990101000000_broken";
      const brokenSql = path.join(migrationsDir, broken, "migration.sql");
      await addMigration(
        migrationsDir,
        broken,
        "CREATE TABLE half_done (id INT);\nALTER TABLE accounts ADD COLUMN nickname TEXT;\n" +
          "INSERT INTO accounts (id, tenant_id, email) VALUES (gen_random_uuid(), NULL, 'x@example.com');\n",
      );
      await addMigration(migrationsDir, "29990102000000_after", "CREATE TABLE after_broken (id INT);");

      const error = await rejectionOf(deployMigrations({ databaseUrl: db.url, migrationsDir }));
      expect(error).toBeInstanceOf(MigrationFailedError);
      const failure = error as MigrationFailedError;
      expect(failure.migrationName).toBe(broken);
      expect(failure.sqlState).toBe("23502");
      expect(failure.code).toBe("migration_failed");
      expect(failure.message).toContain(broken);
      expect(failure.message).toContain('null value in column "tenant_id"');

      // Nothing half-applied: the table and column from the failed script are gone, the next migration never ran.
      const tables = await tablesOf(db.url);
      expect(tables).not.toContain("half_done");
      expect(tables).not.toContain("after_broken");
      const columns = await query(
        db.url,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts'",
      );
      expect(columns.map((row) => row.column_name)).not.toContain("nickname");

      const failedRow = (await history(db.url)).find((row) => row.migration_name === broken);
      expect(failedRow).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
      expect(failedRow?.logs).toContain("Migration name: 29990101000000_broken");
      expect(failedRow?.logs).toContain("Database error code: 23502");

      const blocked = await rejectionOf(deployMigrations({ databaseUrl: db.url, migrationsDir }));
      expect(blocked).toBeInstanceOf(FailedMigrationInHistoryError);
      expect((blocked as FailedMigrationInHistoryError).migrationNames).toEqual([broken]);

      // The Prisma recovery path: fix the migration, mark the failed attempt rolled back, deploy again.
      await writeFile(
        brokenSql,
        "CREATE TABLE half_done (id INT);\nALTER TABLE accounts ADD COLUMN nickname TEXT;\n",
      );
      await resolveMigration({
        databaseUrl: db.url,
        migrationsDir,
        action: "rolled-back",
        migrationName: broken,
      });
      const retried = await deployMigrations({ databaseUrl: db.url, migrationsDir });
      expect(retried.applied).toEqual([broken, "29990102000000_after"]);
      const rows = (await history(db.url)).filter((row) => row.migration_name === broken);
      expect(rows).toHaveLength(2);
      expect(rows.filter((row) => row.rolled_back_at !== null)).toHaveLength(1);
      expect(rows.filter((row) => row.finished_at !== null)).toHaveLength(1);
    } finally {
      await service.remove();
    }
  });

  it("applies an empty (comment-only) migration, as migrate:new --empty writes it", async () => {
    const db = await scratchDatabase();
    const service = await copyFixture();
    try {
      const migrationsDir = path.join(service.dir, "prisma", "migrations");
      await addMigration(migrationsDir, "29990101000000_empty", "-- This is an empty migration.\n");
      expect((await deployMigrations({ databaseUrl: db.url, migrationsDir })).applied).toHaveLength(3);
      expect((await history(db.url)).every((row) => row.finished_at !== null)).toBe(true);
    } finally {
      await service.remove();
    }
  });

  it("applies each migration exactly once when deploys race", async () => {
    const db = await scratchDatabase();
    const results = await Promise.all(
      [1, 2, 3].map(() => deployMigrations({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir })),
    );
    const applied = results.flatMap((result) => result.applied).sort();
    const names = (await readMigrations(fixtureMigrationsDir)).map((migration) => migration.name);
    expect(applied).toEqual(names);
    expect((await history(db.url)).map((row) => row.migration_name)).toEqual(names);
  });

  it("waits for Prisma's advisory lock and gives up after the timeout", async () => {
    const db = await scratchDatabase();
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
      const error = await rejectionOf(
        deployMigrations({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir, lockTimeoutMs: 300 }),
      );
      expect(error).toBeInstanceOf(MigrationLockTimeoutError);
      const waiting = deployMigrations({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
      expect((await waiting).applied).toHaveLength(2);
    } finally {
      await holder.end();
    }
  });

  it("refuses to start a history in a schema that already has tables (Prisma's P3005)", async () => {
    const db = await scratchDatabase();
    await query(db.url, "CREATE TABLE legacy (id INT)");
    const error = await rejectionOf(
      deployMigrations({ databaseUrl: db.url, migrationsDir: fixtureMigrationsDir }),
    );
    expect(error).toBeInstanceOf(DatabaseNotEmptyError);
    expect((error as Error).message).toContain("legacy");
  });

  it("honours Prisma's ?schema= parameter", async () => {
    const db = await scratchDatabase();
    await query(db.url, "CREATE SCHEMA tenancy");
    const url = `${db.url}?schema=tenancy`;
    expect(
      (await deployMigrations({ databaseUrl: url, migrationsDir: fixtureMigrationsDir })).applied,
    ).toHaveLength(2);
    const tables = await query(
      db.url,
      "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'tenancy') ORDER BY 1",
    );
    expect(tables.map((row) => row.name)).toEqual([
      "tenancy._prisma_migrations",
      "tenancy.accounts",
      "tenancy.sessions",
    ]);
  });
});

async function addMigration(migrationsDir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(migrationsDir, name), { recursive: true });
  await writeFile(path.join(migrationsDir, name, "migration.sql"), sql);
}
