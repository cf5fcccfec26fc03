/**
 * Every table of identity's database is classified (src/tables.ts): the event store, the declared
 * secret store (src/secret-store.ts), an inline or async projection, or a command-written table not
 * converted yet. The tables come from information_schema, so a new table fails here until it is placed.
 */
import { classificationProblems, createTestDatabase, type TestDatabase, tablesOf } from "@platform/testkit";
import { SECRET_STORE } from "../src/secret-store";
import { MIGRATIONS_DIR } from "../src/service";
import { TABLE_CLASSES } from "../src/tables";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "identity_test" });
});
afterAll(() => db?.drop());

it("classifies every table of the database exactly once", async () => {
  expect(classificationProblems(await tablesOf(db.url), TABLE_CLASSES)).toEqual({
    unclassified: [],
    classifiedTwice: [],
    missing: [],
  });
});

it("says for every secret-store table what it holds and why the log cannot rebuild it", () => {
  for (const [table, entry] of Object.entries(SECRET_STORE)) {
    expect([table, entry.holds.length > 0, entry.why.length > 0]).toEqual([table, true, true]);
  }
});
