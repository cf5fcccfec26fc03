/**
 * The migration that split account_access (account_access_split) keeps every person's access as it
 * was: applied over rows the old single table held, the view account_members reads the same role,
 * state, directory attributes and ETag for each, and tenancy's half holds every current role.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployMigrations } from "@platform/database";
import { createTestDatabase, type TestDatabase } from "@platform/testkit";
import { Client } from "pg";
import { MIGRATIONS_DIR } from "../src/service";

const SPLIT = "account_access_split";

let db: TestDatabase;
let before: string;
beforeAll(async () => {
  db = await createTestDatabase({ role: "identity_test" });
  // The migrations up to the split, in a folder of their own.
  before = mkdtempSync(join(tmpdir(), "identity-migrations-"));
  for (const entry of readdirSync(MIGRATIONS_DIR).sort()) {
    if (entry.endsWith(SPLIT)) break;
    cpSync(join(MIGRATIONS_DIR, entry), join(before, entry), { recursive: true });
  }
  await deployMigrations({ databaseUrl: db.url, migrationsDir: before });
});
afterAll(async () => {
  rmSync(before, { recursive: true, force: true });
  await db?.drop();
});

it("moves the rows of the single table into identity's grants and tenancy's memberships, read alike", async () => {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (id, email, updated_at) VALUES ('usr_a', 'a@acme.test', now()), ('usr_b', 'b@acme.test', now()), ('usr_c', 'c@acme.test', now())`,
    );
    // A SCIM person whose role tenancy changed since, an owner a directory suspended, an invitee.
    await client.query(
      `INSERT INTO account_access (user_id, account_id, role, active, external_id, user_name, user_name_key, source, created_at, updated_at, revision) VALUES
        ('usr_a', 'org_1', 'admin', true, 'ext-a', 'Ann', 'ann', 'scim', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', 3),
        ('usr_b', 'org_1', 'owner', false, null, 'bob', 'bob', 'owner', '2026-10-01T00:00:00Z', '2026-11-03T00:00:00Z', 2),
        ('usr_c', 'org_2', 'member', true, null, null, null, 'invitation', '2026-11-04T00:00:00Z', '2026-11-04T00:00:00Z', 1)`,
    );
    const read = `SELECT user_id, account_id, role, active, external_id, user_name, user_name_key, source, created_at, revision
                    FROM %s ORDER BY user_id`;
    const { rows: old } = await client.query(read.replace("%s", "account_access"));
    await deployMigrations({ databaseUrl: db.url, migrationsDir: MIGRATIONS_DIR });
    const { rows: members } = await client.query(read.replace("%s", "account_members"));
    expect(members).toEqual(old);
    const { rows: grants } = await client.query(
      "SELECT user_id, role, source, granted_at IS NOT NULL AS granted FROM account_access ORDER BY user_id",
    );
    expect(grants).toEqual([
      { user_id: "usr_a", role: "admin", source: "scim", granted: true },
      { user_id: "usr_b", role: null, source: null, granted: false },
      { user_id: "usr_c", role: "member", source: "invitation", granted: true },
    ]);
    const { rows: memberships } = await client.query(
      "SELECT user_id, role, role_changes, removed_at FROM account_memberships ORDER BY user_id",
    );
    expect(memberships).toEqual([
      { user_id: "usr_a", role: "admin", role_changes: 0, removed_at: null },
      { user_id: "usr_b", role: "owner", role_changes: 0, removed_at: null },
      { user_id: "usr_c", role: "member", role_changes: 0, removed_at: null },
    ]);
  } finally {
    await client.end();
  }
});
