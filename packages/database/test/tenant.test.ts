/**
 * The kit's tenant plumbing on a real Postgres: the SQL tenantTableSql writes isolates tenants for a
 * role without BYPASSRLS, a declared lookup opens only its key and only while it runs, and
 * tenantIsolationGaps finds every table with an account_id by itself and names what each lacks.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import {
  ALL_ROWS,
  allTenantIds,
  type CrossTenantTable,
  enterTenant,
  inTenant,
  lookupAcrossTenants,
  type TenantSqlClient,
  tenantIsolationGaps,
  tenantTableSql,
} from "../src";
import { adminUrl, dropScratchDatabases, query, scratchDatabase } from "./helpers";

const role = `tenant_kit_${randomBytes(4).toString("hex")}`;
const claims: CrossTenantTable = { table: "claims", lookupBy: "domain", reason: "a domain finds its owner" };
const catalog: CrossTenantTable = { table: "catalog", lookupBy: null, reason: "read whole at start" };

/** A Prisma-shaped client on one pg connection, acting as a role that row-level security binds. */
class Db implements TenantSqlClient {
  constructor(private readonly client: Client) {}
  async $queryRawUnsafe<T>(sql: string, ...values: unknown[]): Promise<T> {
    return (await this.client.query(sql, values)).rows as T;
  }
  async $transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R> {
    await this.client.query("BEGIN");
    try {
      const result = await fn(this);
      await this.client.query("COMMIT");
      return result;
    } catch (error) {
      await this.client.query("ROLLBACK");
      throw error;
    }
  }
}

let url: string;
let client: Client;
let db: Db;

beforeAll(async () => {
  url = (await scratchDatabase()).url;
  await query(adminUrl, `CREATE ROLE ${role} NOLOGIN`);
  await query(
    url,
    `CREATE TABLE notes (id text PRIMARY KEY, account_id text NOT NULL, body text);
     CREATE TABLE claims (domain text PRIMARY KEY, account_id text NOT NULL);
     CREATE TABLE catalog (account_id text NOT NULL, name text NOT NULL);
     CREATE TABLE platform_events (position bigserial PRIMARY KEY, tenant_id text);
     ${tenantTableSql("notes")}
     ${tenantTableSql("claims", claims)}
     ${tenantTableSql("catalog", catalog)}
     GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role};
     INSERT INTO notes VALUES ('n1', 'org_a', 'a''s'), ('n2', 'org_b', 'b''s');
     INSERT INTO claims VALUES ('a.example', 'org_a'), ('b.example', 'org_b');
     INSERT INTO catalog VALUES ('org_a', 'admin'), ('org_b', 'admin');
     INSERT INTO platform_events (tenant_id) VALUES ('org_b'), (NULL), ('org_a'), ('org_b');`,
  );
  client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`SET ROLE ${role}`);
  db = new Db(client);
});

afterAll(async () => {
  await client?.end();
  await dropScratchDatabases();
  await query(adminUrl, `DROP ROLE IF EXISTS ${role}`);
});

const notes = (tx: TenantSqlClient) =>
  tx
    .$queryRawUnsafe<{ id: string }[]>("SELECT id FROM notes ORDER BY id")
    .then((rows) => rows.map((r) => r.id));

describe("tenant tables", () => {
  it("show one tenant's rows inside inTenant and none outside it", async () => {
    expect(await inTenant(db, "org_a", notes)).toEqual(["n1"]);
    expect(await inTenant(db, "org_b", notes)).toEqual(["n2"]);
    expect(await notes(db)).toEqual([]);
  });

  it("refuse a write into another tenant", async () => {
    await expect(
      inTenant(db, "org_a", (tx) => tx.$queryRawUnsafe("INSERT INTO notes VALUES ('n3', 'org_b', 'x')")),
    ).rejects.toThrow(/row-level security/);
  });

  it("open a declared lookup for its key only, and only while it runs", async () => {
    const owners = await inTenant(db, "org_a", async (tx) => {
      const sql = "SELECT domain, account_id FROM claims ORDER BY domain";
      const during = await lookupAcrossTenants(tx, claims, "b.example", () => tx.$queryRawUnsafe(sql));
      const after = await tx.$queryRawUnsafe(sql);
      return { during, after };
    });
    expect(owners).toEqual({
      during: [
        { domain: "a.example", account_id: "org_a" },
        { domain: "b.example", account_id: "org_b" },
      ],
      after: [{ domain: "a.example", account_id: "org_a" }],
    });
  });

  it("close a lookup whose read failed, for a caller that goes on in the same transaction", async () => {
    const after = await inTenant(db, "org_a", async (tx) => {
      await lookupAcrossTenants(tx, claims, "b.example", async () => {
        throw new Error("the caller's own failure");
      }).catch(() => undefined);
      return tx.$queryRawUnsafe("SELECT domain FROM claims ORDER BY domain");
    });
    expect(after).toEqual([{ domain: "a.example" }]);
  });

  it("never let a lookup write, nor a keyed lookup read the whole table", async () => {
    await expect(
      db.$transaction((tx) =>
        lookupAcrossTenants(tx, claims, "b.example", () =>
          tx.$queryRawUnsafe(
            "UPDATE claims SET account_id = 'org_a' WHERE domain = 'b.example' RETURNING domain",
          ),
        ),
      ),
    ).resolves.toEqual([]);
    await expect(
      db.$transaction((tx) =>
        lookupAcrossTenants(tx, claims, ALL_ROWS, () => tx.$queryRawUnsafe("SELECT * FROM claims")),
      ),
    ).resolves.toEqual([]);
    const whole = await db.$transaction((tx) =>
      lookupAcrossTenants(tx, catalog, ALL_ROWS, () => tx.$queryRawUnsafe("SELECT * FROM catalog")),
    );
    expect(whole).toHaveLength(2);
  });

  it("refuse an empty tenant id, which a pooled connection reads as no tenant", async () => {
    await expect(inTenant(db, "", notes)).rejects.toThrow(/empty tenant id/);
  });

  it("lists every tenant the event store names", async () => {
    expect(await allTenantIds(db)).toEqual(["org_a", "org_b"]);
    await db.$transaction(async (tx) => {
      await enterTenant(tx, "org_b");
      expect(await notes(tx)).toEqual(["n2"]);
    });
  });
});

describe("tenantIsolationGaps", () => {
  it("finds each table with an account_id itself and names what it lacks", async () => {
    await query(
      url,
      `CREATE TABLE loose (account_id text);
       CREATE TABLE half (account_id text);
       ALTER TABLE half ENABLE ROW LEVEL SECURITY;
       CREATE POLICY tenant_isolation ON half USING (account_id = current_setting('app.tenant_id', true));
       CREATE POLICY open_door ON notes FOR SELECT USING (true);`,
    );
    try {
      // The scratch database's URL is the admin's: a superuser, whom no policy binds.
      expect(await tenantIsolationGaps(url, [claims, catalog, { ...claims, table: "gone" }])).toEqual([
        "the service's role is superuser or BYPASSRLS: no policy binds it",
        "half: row-level security is not forced",
        "half: no tenant_isolation policy comparing account_id with app.tenant_id",
        "loose: row-level security is not enabled",
        "loose: no tenant_isolation policy comparing account_id with app.tenant_id",
        "notes: policy open_door opens more than its declared lookup",
        "gone: declared cross-tenant but not a table with account_id",
      ]);
      // A lookup policy on a table nobody declared is a gap too.
      expect(await tenantIsolationGaps(url, [catalog])).toContain(
        "claims: policy cross_tenant_lookup opens more than its declared lookup",
      );
    } finally {
      await query(url, "DROP TABLE loose; DROP TABLE half; DROP POLICY open_door ON notes;");
    }
    expect(await tenantIsolationGaps(url, [claims, catalog])).toEqual([
      "the service's role is superuser or BYPASSRLS: no policy binds it",
    ]);
  });
});
