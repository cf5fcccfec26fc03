import { PrismaPg } from "@prisma/adapter-pg";
import { Client, type ClientConfig } from "pg";

/**
 * A `pg` client for a Prisma-style connection URL. Prisma reads a non-standard `?schema=NAME` parameter
 * (the schema that holds the tables and `_prisma_migrations`); `pg` would ignore it, so it is taken out
 * of the URL and applied as the session's search_path.
 */
export function parseDatabaseUrl(databaseUrl: string): { config: ClientConfig; schema: string | undefined } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  return { config: { connectionString: url.toString(), application_name: "platform-db" }, schema };
}

export async function connect(databaseUrl: string): Promise<Client> {
  const { config, schema } = parseDatabaseUrl(databaseUrl);
  const client = new Client(config);
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    if (schema) await client.query(`SET search_path TO ${quoteIdent(schema)}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The URL with its database name replaced (credentials, host and parameters kept). */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The URL without its password, for messages and logs. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "<unparseable database URL>";
  }
}

/**
 * The driver adapter every service's Prisma client runs on (Prisma 7 has no built-in engine
 * connection): one place decides how a service reaches its Postgres. `pool.max` sizes the connection
 * pool (pg's default, 10, when absent): a second client with a pool of its own keeps one workload (a
 * batch projector) from queueing behind another's (the HTTP edge).
 */
export function postgresAdapter(databaseUrl: string, pool: { max?: number } = {}): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, ...pool });
}
