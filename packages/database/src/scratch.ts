import { randomBytes } from "node:crypto";
import { connect, quoteIdent, withDatabase } from "./connection";

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty database (from template0, so nothing installed in template1 leaks in) created through an
 * admin connection that may CREATE DATABASE. The caller drops it; `withScratchDatabase` does so for you.
 */
export async function createScratchDatabase(
  adminUrl: string,
  prefix = "platform_db_scratch",
): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`.slice(0, 63);
  const admin = await connect(adminUrl);
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const client = await connect(adminUrl);
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

export async function withScratchDatabase<T>(
  adminUrl: string,
  fn: (database: ScratchDatabase) => Promise<T>,
): Promise<T> {
  const database = await createScratchDatabase(adminUrl);
  try {
    return await fn(database);
  } finally {
    await database.drop();
  }
}
