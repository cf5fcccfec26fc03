export { postgresAdapter } from "./connection";
export {
  type CreatedMigration,
  type CreateMigrationOptions,
  checkDrift,
  createMigration,
  type DriftOptions,
} from "./drift";
export {
  DatabaseNotEmptyError,
  FailedMigrationInHistoryError,
  MigrationChecksumMismatchError,
  MigrationError,
  MigrationFailedError,
  MigrationLockTimeoutError,
  MigrationsDirectoryError,
  SchemaEngineError,
} from "./errors";
export { generateClient, offlinePrismaEnv } from "./generate";
export { loadSchemaFiles, resolveServiceLayout, type ServiceLayout } from "./layout";
export {
  CREATE_MIGRATIONS_TABLE_SQL,
  checksumOf,
  type DeployOptions,
  type DeployResult,
  deployMigrations,
  type MigrationLogger,
  type MigrationStatus,
  migrationStatus,
  PRISMA_ADVISORY_LOCK_KEY,
  readMigrations,
  resolveMigration,
} from "./migrations";
export { diffToSchema } from "./schema-engine";
export { createScratchDatabase, type ScratchDatabase, withScratchDatabase } from "./scratch";
export { isSerializationFailure, isUniqueViolation, sqlStateOf } from "./sql-errors";
export {
  ALL_ROWS,
  allTenantIds,
  type CrossTenantTable,
  enterTenant,
  inTenant,
  LOOKUP_POLICY,
  lookupAcrossTenants,
  TENANT_POLICY,
  TENANT_SETTING,
  type TenantDatabase,
  type TenantSqlClient,
  type TransactionOf,
  tenantTableSql,
} from "./tenant";
export { tenantIsolationGaps } from "./tenant-check";
