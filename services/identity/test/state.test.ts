/**
 * identity's state as inline projections (src/projections/inline.ts): role definitions, revocations
 * and directory groups are written only by the store's inline handlers, in the append's transaction;
 * commands append at the version of the state they decided on, so the store (not a row lock) refuses
 * a concurrent writer; and the tables rebuilt from platform_events equal the live ones.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { SYSTEM_ACTOR } from "../src/domain/events";
import { INLINE_TABLES } from "../src/projections/inline";
import type { ScimGroupInput } from "../src/scim";
import { type Harness, startIdentity } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

let counter = 0;
async function personIn(accountId: string, role: string): Promise<{ userId: string; token: string }> {
  const email = `state${++counter}.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember(accountId, body.user_id, role);
  const session = await h.call("POST", "/v1/sessions", { body: { email, password, account_id: accountId } });
  return { userId: body.user_id, token: session.body.access_token as string };
}

const group = (displayName: string, memberIds: string[]): ScimGroupInput => ({
  displayName,
  externalId: null,
  members: memberIds.map((value) => ({ value, display: null })),
});

/** The Prisma model of a table (role_definitions → roleDefinition), as the schema names them. */
const modelOf = (table: string) =>
  table.replace(/s$/, "").replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

function sourcesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated") return [];
    return statSync(path).isDirectory() ? sourcesIn(path) : path.endsWith(".ts") ? [path] : [];
  });
}

it("writes the inline tables only from their handlers", () => {
  const src = join(__dirname, "../src");
  const writes = new RegExp(
    `\\.(${INLINE_TABLES.map(modelOf).join("|")})\\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\\b|(INSERT INTO|UPDATE|DELETE FROM)\\s+"?(${INLINE_TABLES.join("|")})\\b`,
    "i",
  );
  const writers = sourcesIn(src).filter((path) => writes.test(readFileSync(path, "utf8")));
  expect(writers.map((path) => path.slice(src.length + 1))).toEqual(["projections/inline.ts"]);
});

it("refuses the second of two concurrent definitions of one role with concurrency_conflict", async () => {
  const accountId = `org_state_race_${Date.now()}`;
  const { token } = await personIn(accountId, "owner");
  // A gate, so both commands have read the (empty) state before either commits: an uncommitted row of
  // the same role makes the first command's inline handler wait after its append.
  const gate = new Client({ connectionString: h.db.url });
  await gate.connect();
  await gate.query("BEGIN");
  await gate.query(
    "INSERT INTO role_definitions (account_id, role, permissions, updated_at) VALUES ($1, 'racer', '{}', now())",
    [accountId],
  );
  const define = (permissions: string[]) =>
    h.call("PUT", `/v1/organizations/${accountId}/roles/racer`, { token, body: { permissions } });
  const first = define(["projects.read"]);
  // Read outside the gate's transaction: pg_stat_activity stays frozen within one.
  const waiting = async () => {
    const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
    );
    return row?.n ?? 0;
  };
  let second: ReturnType<typeof define> | undefined;
  try {
    for (let i = 0; i < 200 && (await waiting()) < 1; i++) await new Promise((r) => setTimeout(r, 25));
    second = define(["projects.deploy"]);
    for (let i = 0; i < 200 && (await waiting()) < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await waiting()).toBe(2);
  } finally {
    await gate.query("ROLLBACK");
    await gate.end();
  }

  const [a, b] = await Promise.all([first, second]);
  expect([a.status, [b.status, b.body.code]]).toEqual([200, [409, "concurrency_conflict"]]);
  const rows = await h.service.db.roleDefinition.findMany({ where: { accountId } });
  expect(rows.map((row) => [row.role, row.permissions, row.version])).toEqual([
    ["racer", ["projects.read"], 1],
  ]);
  // A definition that read the state after the first committed appends after it.
  expect((await define(["projects.deploy"])).status).toBe(200);
  expect((await h.service.db.roleDefinition.findMany({ where: { accountId } }))[0]?.version).toBe(2);
});

it("rebuilds the inline tables from platform_events, equal to the live ones, at a later time", async () => {
  const accountId = `org_state_rebuild_${Date.now()}`;
  const { userId, token } = await personIn(accountId, "owner");
  for (const permissions of [["projects.read"], ["projects.read", "projects.deploy"]])
    expect(
      (await h.call("PUT", `/v1/organizations/${accountId}/roles/deployer`, { token, body: { permissions } }))
        .status,
    ).toBe(200);
  expect((await h.call("DELETE", "/v1/sessions/current", { token })).status).toBeLessThan(300);
  await h.service.db.$transaction((tx) =>
    h.service.credentials.revokeAccess(
      tx,
      { scope: "membership", subjectId: userId, accountId, reason: "member_removed" },
      SYSTEM_ACTOR,
    ),
  );
  const directory = { accountId, tokenId: "scimtok_test" };
  const origin = { actor: SYSTEM_ACTOR };
  const kept = await h.service.directory.createGroup(directory, group("Engineering", [userId]), origin);
  h.clock.advance(60_000);
  await h.service.directory.replaceGroup(directory, kept.id, group("Engineers", []), origin);
  const gone = await h.service.directory.createGroup(directory, group("Temp", []), origin);
  await h.service.directory.deleteGroup(directory, gone.id, origin);

  const snapshot = async (): Promise<Record<string, Record<string, unknown>[]>> =>
    Object.fromEntries(
      await Promise.all(
        INLINE_TABLES.map(async (table) => [
          table,
          await h.service.db.$queryRawUnsafe<Record<string, unknown>[]>(
            `SELECT * FROM ${table} ORDER BY to_jsonb(${table})::text`,
          ),
        ]),
      ),
    );
  const live = await snapshot();
  expect(live.role_definitions?.some((row) => row.account_id === accountId)).toBe(true);
  expect(live.revocations?.some((row) => row.account_id === accountId)).toBe(true);
  expect(live.directory_groups?.map((row) => row.display_name)).toContain("Engineers");

  h.clock.advance(86_400_000);
  expect(await h.service.rebuildState()).toBeGreaterThan(0);
  expect(await snapshot()).toEqual(live);
});
