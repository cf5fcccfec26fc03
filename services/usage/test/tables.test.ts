/**
 * Every table of usage's database is classified (src/tables.ts), every tenant table has forced
 * row-level security (found through information_schema, not a list), and the migrations produce the
 * Prisma schema. A new table fails here until it is placed and made the kit's way.
 */
import { join } from "node:path";
import { checkDrift, tenantIsolationGaps } from "@platform/database";
import {
  classificationProblems,
  createTestDatabase,
  infrastructure,
  type TestDatabase,
  tablesOf,
} from "@platform/testkit";
import { CROSS_TENANT } from "../src/app/tenant";
import { MIGRATIONS_DIR } from "../src/service";
import { TABLE_CLASSES } from "../src/tables";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrationsDir: MIGRATIONS_DIR, role: "usage_test" });
});
afterAll(() => db?.drop());

it("classifies every table of the database exactly once", async () => {
  expect(classificationProblems(await tablesOf(db.url), TABLE_CLASSES)).toEqual({
    unclassified: [],
    classifiedTwice: [],
    missing: [],
  });
});

it("forces row-level security on every table with an account_id, cross-tenant reads only as declared", async () => {
  expect(await tenantIsolationGaps(db.url, Object.values(CROSS_TENANT))).toEqual([]);
});

it("migrations produce the Prisma schema", async () => {
  expect(
    await checkDrift({ serviceDir: join(__dirname, ".."), adminUrl: infrastructure().postgresAdminUrl }),
  ).toBe("");
});
