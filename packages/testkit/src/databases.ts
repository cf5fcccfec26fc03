import { deployMigrations } from "@platform/database";
import { Client } from "pg";
import { infrastructure } from "./infrastructure";
import { uniqueName } from "./names";

export interface TestDatabase {
  name: string;
  /** Connection as the owning role: not a superuser, no BYPASSRLS, like a service in production. */
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** The service's prisma/migrations folder; applied before the test gets the database. */
  migrationsDir?: string;
  /** Login role that owns the database; created when missing. */
  role?: string;
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: infrastructure().postgresAdminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function urlFor(adminUrl: string, role: string, database: string): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = role;
  url.pathname = `/${database}`;
  return url.toString();
}

/** Its own database per test file (or test), so tests never see each other's rows. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const role = options.role ?? "platform_test";
  const name = uniqueName(`t_${role}`).slice(0, 63);
  await withAdmin(async (admin) => {
    // Roles are cluster-wide: two test files may race to create the same one.
    await admin.query(
      `DO $$ BEGIN
         CREATE ROLE ${role} LOGIN PASSWORD '${role}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
       EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
    );
    await admin.query(`CREATE DATABASE ${name} OWNER ${role}`);
  });
  const url = urlFor(infrastructure().postgresAdminUrl, role, name);
  if (options.migrationsDir)
    await deployMigrations({ databaseUrl: url, migrationsDir: options.migrationsDir });
  return {
    name,
    url,
    drop: () =>
      withAdmin(async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}
