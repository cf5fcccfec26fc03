import { PlatformError } from "@platform/errors";

/**
 * Failures of the migration tooling. All are `internal`: they stop a deploy or a test, and nothing
 * retries them automatically (a migration that failed fails again the same way).
 */
export class MigrationError extends PlatformError {
  constructor(
    code: string,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super("internal", code, message, options);
  }
}

/** A migration's SQL failed. Like Prisma's P3018; the history row stays with finished_at NULL and the error in logs. */
export class MigrationFailedError extends MigrationError {
  constructor(
    readonly migrationName: string,
    /** SQLSTATE of the failing statement, or "none" when the failure was not a database error. */
    readonly sqlState: string,
    readonly databaseError: string,
    cause?: unknown,
  ) {
    super(
      "migration_failed",
      `migration ${migrationName} failed to apply and was rolled back (SQLSTATE ${sqlState}): ${databaseError}\n` +
        "It is recorded as failed in _prisma_migrations; no later migration is applied until it is resolved: fix the " +
        `database or the migration, then run \`platform-db migrate:resolve --rolled-back ${migrationName}\` ` +
        "(or `prisma migrate resolve` where the schema engine is available) and deploy again.",
      { details: { migrationName, sqlState }, cause },
    );
  }
}

/** The history holds a migration that started and never finished (Prisma's P3009): nothing is applied. */
export class FailedMigrationInHistoryError extends MigrationError {
  constructor(readonly migrationNames: string[]) {
    super(
      "failed_migration_in_history",
      `found failed migrations in the target database, new migrations will not be applied: ${migrationNames.join(", ")}. ` +
        "Resolve them first with `platform-db migrate:resolve --rolled-back <name>` (after undoing any partial " +
        "changes) or `--applied <name>` (after finishing them by hand).",
      { details: { migrationNames } },
    );
  }
}

/** An applied migration's migration.sql was edited afterwards: its checksum no longer matches the history. */
export class MigrationChecksumMismatchError extends MigrationError {
  constructor(readonly migrationNames: string[]) {
    super(
      "migration_checksum_mismatch",
      `applied migrations were modified after they were applied: ${migrationNames.join(", ")}. ` +
        "Never edit an applied migration: restore its original migration.sql and add a new migration instead.",
      { details: { migrationNames } },
    );
  }
}

export class MigrationLockTimeoutError extends MigrationError {
  constructor(timeoutMs: number, cause?: unknown) {
    super(
      "migration_lock_timeout",
      `timed out after ${timeoutMs}ms waiting for the migration advisory lock (pg_advisory_lock(72707369)): ` +
        "another deploy is still running",
      { details: { timeoutMs }, cause },
    );
  }
}

/** Like Prisma's P3005: no history table, but the schema already has tables (baseline it first). */
export class DatabaseNotEmptyError extends MigrationError {
  constructor(tables: string[]) {
    super(
      "database_not_empty",
      `the database schema is not empty (tables: ${tables.slice(0, 10).join(", ")}${tables.length > 10 ? ", ..." : ""}) ` +
        "but has no _prisma_migrations history; baseline it with `platform-db migrate:resolve --applied <name>` " +
        "for each migration it already contains",
      { details: { tables } },
    );
  }
}

export class MigrationsDirectoryError extends MigrationError {
  constructor(message: string) {
    super("migrations_directory_invalid", message);
  }
}

/** The Wasm schema engine (diffs) failed: bad schema, unsupported feature, or an engine bug. */
export class SchemaEngineError extends MigrationError {
  constructor(message: string) {
    super("schema_engine_failed", message);
  }
}
