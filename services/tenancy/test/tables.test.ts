/**
 * Every table of tenancy's database is classified (src/tables.ts): the event store, the declared
 * secret store (SECRET_STORE in src/tables.ts), an inline or async projection, or a command-written table not
 * converted yet. The tables come from information_schema, so a new table fails here until it is placed.
 */
import { createTestDatabase, type TestDatabase } from "@platform/testkit";
import { Client } from "pg";
import { MIGRATIONS_DIR } from "../src/service";
import { SECRET_STORE, TABLE_CLASSES } from "../src/tables";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "tenancy_test" });
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
  const classified = Object.values(TABLE_CLASSES).flat();
  const tables = await tablesOf(db.url);
  expect(tables.filter((table) => !classified.includes(table))).toEqual([]);
  expect(classified.filter((table, i) => classified.indexOf(table) !== i)).toEqual([]);
  expect(classified.filter((table) => !tables.includes(table))).toEqual([]);
});

it("says for every secret-store table what it holds and why the log cannot rebuild it", () => {
  for (const [table, entry] of Object.entries(SECRET_STORE)) {
    expect([table, entry.holds.length > 0, entry.why.length > 0]).toEqual([table, true, true]);
  }
});
