/**
 * A service's test/tables.test.ts in one call: every table of its database is classified exactly once
 * (src/tables.ts), each secret-store entry says what it holds and why, every tenant table has forced
 * row-level security with cross-tenant reads only as declared, and the migrations produce the Prisma
 * schema. Each proof is opted into by handing it what it checks, so a service adopting one more is a
 * line, not a copied block.
 */
import { type CrossTenantTable, checkDrift, tenantIsolationGaps } from "@platform/database";
import { createTestDatabase, type TestDatabase } from "./databases";
import { infrastructure } from "./infrastructure";
import { classificationProblems, tablesOf } from "./tables";

export interface TableProofOptions {
  /** The service's migrations (MIGRATIONS_DIR of its src/service.ts). */
  migrationsDir: string;
  /** The database role the test database is made for, e.g. "billing_test". */
  role: string;
  /** TABLE_CLASSES of the service's src/tables.ts. */
  tableClasses: Readonly<Record<string, readonly string[]>>;
  /** The declared secret store: each entry must say what it holds and why the log cannot rebuild it. */
  secretStore?: Readonly<Record<string, { holds: string; why: string }>>;
  /** CROSS_TENANT of src/app/tenant.ts: turns on the forced row-level security proof. */
  crossTenant?: Readonly<Record<string, CrossTenantTable>>;
  /** The service's directory (holding prisma/): turns on the migrations-versus-schema drift proof. */
  serviceDir?: string;
}

/** Registers the table proofs of a service's test/tables.test.ts (call it at the file's top level). */
export function describeTableProofs(options: TableProofOptions): void {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrationsDir: options.migrationsDir, role: options.role });
  });
  afterAll(() => db?.drop());

  it("classifies every table of the database exactly once", async () => {
    expect(classificationProblems(await tablesOf(db.url), options.tableClasses)).toEqual({
      unclassified: [],
      classifiedTwice: [],
      missing: [],
    });
  });

  const { secretStore, crossTenant, serviceDir } = options;
  if (secretStore)
    it("says for every secret-store table what it holds and why the log cannot rebuild it", () => {
      for (const [table, entry] of Object.entries(secretStore)) {
        expect([table, entry.holds.length > 0, entry.why.length > 0]).toEqual([table, true, true]);
      }
    });

  if (crossTenant)
    it("forces row-level security on every table with an account_id, cross-tenant reads only as declared", async () => {
      expect(await tenantIsolationGaps(db.url, Object.values(crossTenant))).toEqual([]);
    });

  if (serviceDir)
    it("migrations produce the Prisma schema", async () => {
      expect(await checkDrift({ serviceDir, adminUrl: infrastructure().postgresAdminUrl })).toBe("");
    });
}
