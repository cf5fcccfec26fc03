/**
 * Every table of billing's database is classified (src/tables.ts), every tenant table has forced
 * row-level security (found through information_schema, not a list), and the migrations produce the
 * Prisma schema. A new table fails here until it is placed and made the kit's way.
 */
import { join } from "node:path";
import { checkDrift, tenantIsolationGaps } from "@platform/database";
import { createTestDatabase, infrastructure, type TestDatabase } from "@platform/testkit";
import { Client } from "pg";
import { CROSS_TENANT } from "../src/app/tenant";
import { MIGRATIONS_DIR } from "../src/service";
import { TABLE_CLASSES } from "../src/tables";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "billing_test" });
});
afterAll(() => db?.drop());

async function tablesOf(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    return rows.map((row) => row.table_name).sort();
  } finally {
    await client.end();
  }
}

it("classifies every table of the database exactly once", async () => {
  const classified: string[] = Object.values(TABLE_CLASSES).flat();
  const tables = await tablesOf(db.url);
  expect(tables.filter((table) => !classified.includes(table))).toEqual([]);
  expect(classified.filter((table, i) => classified.indexOf(table) !== i)).toEqual([]);
  expect(classified.filter((table) => !tables.includes(table))).toEqual([]);
});

it("forces row-level security on every table with an account_id, cross-tenant reads only as declared", async () => {
  expect(await tenantIsolationGaps(db.url, Object.values(CROSS_TENANT))).toEqual([]);
});

it("migrations produce the Prisma schema", async () => {
  expect(
    await checkDrift({ serviceDir: join(__dirname, ".."), adminUrl: infrastructure().postgresAdminUrl }),
  ).toBe("");
});
