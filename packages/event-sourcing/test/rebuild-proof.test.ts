/**
 * The rebuild proof's own rules, on a small database of its own: tables come from information_schema
 * and must all be classified; rebuildable tables are emptied, rebuilt and compared row by row (by
 * primary key, or as a multiset when a table has none), each column as Postgres renders it in JSON.
 */
import { createTestDatabase, infrastructure, type TestDatabase } from "@platform/testkit";
import { Client } from "pg";
import {
  classificationGaps,
  privilegedUrlOf,
  proveRebuild,
  type TableClasses,
  TableClassificationError,
} from "../src";

let db: TestDatabase;
let adminUrl: string;

const classes: TableClasses = {
  eventStore: ["log"],
  secretStore: ["secrets"],
  inline: ["balances"],
  async: ["tags"],
  notYetProjected: ["legacy"],
  requestCache: ["answers"],
};

/** As the database's owner (a service's role: no superuser, no BYPASSRLS). */
async function sql(text: string): Promise<{ rows: Record<string, unknown>[] }> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** The "service's" rebuild: balances and tags are functions of the log. */
const rebuild = () =>
  sql(`INSERT INTO balances SELECT account, sum(amount), max(at) FROM log GROUP BY account;
       INSERT INTO tags SELECT account, 'seen' FROM log;`);

beforeAll(async () => {
  db = await createTestDatabase();
  adminUrl = privilegedUrlOf(db.url, infrastructure().postgresAdminUrl);
  await sql(`
    CREATE TABLE log (position serial PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL, at timestamptz(3) NOT NULL);
    CREATE TABLE secrets (account text PRIMARY KEY, hash text NOT NULL);
    CREATE TABLE balances (account text PRIMARY KEY, balance bigint NOT NULL, updated_at timestamptz(3) NOT NULL);
    CREATE TABLE tags (account text NOT NULL, tag text NOT NULL);
    CREATE TABLE legacy (id text PRIMARY KEY);
    CREATE TABLE answers (key text PRIMARY KEY, body text NOT NULL);
    INSERT INTO answers VALUES ('k1', '{"ok":true}');
    INSERT INTO log (account, amount, at) VALUES
      ('a', 10, '2026-01-01T00:00:00.001Z'), ('a', 9007199254740993, '2026-01-02T00:00:00.002Z'), ('b', 5, '2026-01-03T00:00:00Z');
    INSERT INTO secrets VALUES ('a', 'hash');
    INSERT INTO legacy VALUES ('kept');
  `);
  await rebuild();
});
afterAll(() => db?.drop());

describe("classificationGaps", () => {
  it("names a table in no class, in two, and one classified but absent", () => {
    expect(
      classificationGaps(["log", "balances", "stray"], {
        ...classes,
        secretStore: [],
        async: ["balances"],
        notYetProjected: ["gone"],
        requestCache: [],
      }),
    ).toEqual([
      expect.stringMatching(/^stray: in no class/),
      "balances: in 2 classes (inline, async)",
      "gone: classified (notYetProjected) but not in the database",
    ]);
    expect(classificationGaps(["log", "secrets", "balances", "tags", "legacy", "answers"], classes)).toEqual(
      [],
    );
  });
});

describe("proveRebuild", () => {
  it("finds the rebuilt tables equal, keeps the others untouched, and counts the live rows", async () => {
    const report = await proveRebuild({ databaseUrl: adminUrl, classes, rebuild });
    expect(report).toEqual({
      proven: [
        { table: "balances", rows: 2 },
        { table: "tags", rows: 3 },
      ],
      kept: {
        eventStore: ["log"],
        secretStore: ["secrets"],
        requestCache: ["answers"],
        notYetProven: ["legacy"],
      },
      differences: [],
      equal: true,
    });
    expect((await sql("SELECT count(*)::int AS n FROM secrets")).rows[0]?.n).toBe(1);
    // The request cache is no state: not emptied, not compared, left as it was.
    expect((await sql("SELECT body FROM answers")).rows).toEqual([{ body: '{"ok":true}' }]);
  });

  it("names missing, extra and changed rows, a duplicate lost from a table without a key, and columns beyond 2^53", async () => {
    const report = await proveRebuild({
      databaseUrl: adminUrl,
      classes,
      rebuild: async () => {
        await rebuild();
        await sql(`UPDATE balances SET balance = balance + 1 WHERE account = 'a';
                   DELETE FROM balances WHERE account = 'b';
                   INSERT INTO balances VALUES ('c', 1, now());
                   DELETE FROM tags WHERE ctid IN (SELECT ctid FROM tags WHERE account = 'a' LIMIT 1);`);
      },
    });
    expect(report.equal).toBe(false);
    expect(report.differences).toEqual([
      {
        table: "balances",
        missing: [{ account: '"b"', balance: "5", updated_at: expect.stringContaining("2026-01-03") }],
        extra: [expect.objectContaining({ account: '"c"', balance: "1" })],
        changed: [
          {
            key: { account: '"a"' },
            columns: [{ column: "balance", live: "9007199254741003", rebuilt: "9007199254741004" }],
          },
        ],
      },
      { table: "tags", missing: [{ account: '"a"', tag: '"seen"' }], extra: [], changed: [] },
    ]);
  });

  it("leaves a declared unreplayed column out of the comparison", async () => {
    await sql("DELETE FROM balances; DELETE FROM tags");
    await rebuild();
    const report = await proveRebuild({
      databaseUrl: adminUrl,
      classes,
      unreplayedColumns: {
        balances: { updated_at: "stamped by the wall clock (a test of the declaration)" },
      },
      rebuild: async () => {
        await rebuild();
        await sql("UPDATE balances SET updated_at = now()");
      },
    });
    expect(report.differences).toEqual([]);
  });

  it("refuses a database whose tables it cannot all place, before emptying any", async () => {
    await sql("CREATE TABLE stray (id int)");
    try {
      const failure = await proveRebuild({ databaseUrl: adminUrl, classes, rebuild }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(TableClassificationError);
      expect((await sql("SELECT count(*)::int AS n FROM balances")).rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await sql("DROP TABLE stray");
    }
  });

  it("refuses a connection that row-level security would blind", async () => {
    await sql(
      "ALTER TABLE balances ENABLE ROW LEVEL SECURITY; ALTER TABLE balances FORCE ROW LEVEL SECURITY",
    );
    try {
      await expect(proveRebuild({ databaseUrl: db.url, classes, rebuild })).rejects.toThrow(
        /row-level security would hide rows of balances/,
      );
    } finally {
      await sql(
        "ALTER TABLE balances NO FORCE ROW LEVEL SECURITY; ALTER TABLE balances DISABLE ROW LEVEL SECURITY",
      );
    }
  });
});
