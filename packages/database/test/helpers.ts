import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "pg";
import { createScratchDatabase, type ScratchDatabase } from "../src";

/** Superuser connection for creating and dropping scratch databases. */
export const adminUrl = process.env.POSTGRES_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export const fixtureDir = path.join(__dirname, "fixture");
export const fixtureMigrationsDir = path.join(fixtureDir, "prisma", "migrations");

/** Every database a test created, dropped in afterAll via dropScratchDatabases(). */
const created: ScratchDatabase[] = [];

export async function scratchDatabase(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase(adminUrl, "platform_db_test");
  created.push(database);
  return database;
}

export async function dropScratchDatabases(): Promise<void> {
  await Promise.all(created.splice(0).map((database) => database.drop()));
}

/** A throwaway copy of the fixture service (prisma.config.ts, schema, migrations) to modify. */
export async function copyFixture(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "platform-db-fixture-"));
  await cp(fixtureDir, dir, {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}src${path.sep}generated`),
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The thrown value of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
