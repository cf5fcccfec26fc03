/**
 * identity's state as inline projections (src/projections/inline.ts, people.ts): role definitions,
 * revocations, directory groups, people, invitation acceptances, API keys, SCIM tokens and SSO
 * connections are written only by the store's inline handlers, in the append's transaction (their
 * secrets stay in the secret store);
 * commands append at the version of the state they decided on, so the store (not a row lock) refuses
 * a concurrent writer; and the tables rebuilt from platform_events equal the live ones.
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { TenancyEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { Client } from "pg";
import { accessOf } from "../src/app/access";
import { IdentityEvent, SYSTEM_ACTOR } from "../src/domain/events";
import { sha256 } from "../src/domain/secrets";
import { INLINE_TABLES } from "../src/projections/inline";
import { ASYNC_TABLES } from "../src/projections/read-models";
import type { ScimGroupInput, ScimUserInput } from "../src/scim";
import { type Harness, startIdentity } from "./support/harness";
import { createSigningIdentity } from "./support/saml-idp";

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

const system = { type: "system", id: null, ip_address: null, user_agent: null };
let published = 0;

/** An organization's verified domain, as tenancy announces it: its directory then owns people there. */
async function verifyDomain(accountId: string, domain: string): Promise<void> {
  await h.publishTenancyEvent(TenancyEvent.DomainVerified, `dom_${domain}`, ++published, {
    account_id: accountId,
    domain_id: `dom_${domain}`,
    domain,
    auto_join: false,
    occurred_at: Date.now(),
    actor: system,
  });
  await waitFor(
    async () => ((await h.service.db.verifiedDomain.findUnique({ where: { domain } })) ? true : undefined),
    { what: `${domain} verified for ${accountId}` },
  );
}

const scimUser = (email: string, givenName: string, active = true): ScimUserInput => ({
  userName: email,
  externalId: null,
  active,
  displayName: null,
  name: { givenName, familyName: "Jensen", formatted: null },
  emails: [{ value: email, type: "work", primary: true }],
});

/** The Prisma model of a table (role_definitions → roleDefinition, account_access → accountAccess), as the schema names them. */
const modelOf = (table: string) =>
  table
    .replace(/ies$/, "y")
    .replace(/([^s])s$/, "$1")
    .replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

function sourcesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated") return [];
    return statSync(path).isDirectory() ? sourcesIn(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The files under src/ that write any of these tables, through Prisma or in SQL. */
function writersOf(tables: readonly string[]): string[] {
  const src = join(__dirname, "../src");
  const writes = new RegExp(
    `\\.(${tables.map(modelOf).join("|")})\\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\\b|(INSERT INTO|UPDATE|DELETE FROM)\\s+"?(${tables.join("|")})\\b`,
    "i",
  );
  return sourcesIn(src)
    .filter((path) => writes.test(readFileSync(path, "utf8")))
    .map((path) => path.slice(src.length + 1))
    .sort();
}

it("names the Prisma models the write scan looks for", () => {
  expect(
    [...INLINE_TABLES, ...ASYNC_TABLES].map(modelOf).filter((model) => !(model in h.service.db)),
  ).toEqual([]);
});

it("writes the read models only from the projector", () => {
  expect(writersOf(ASYNC_TABLES)).toEqual(["projections/read-models.ts"]);
});

it("writes the inline tables only from their handlers", () => {
  expect(writersOf(INLINE_TABLES)).toEqual([
    "projections/access.ts",
    "projections/inline.ts",
    "projections/people.ts",
  ]);
});

/** Sessions of this database waiting for a lock, read outside any gate's transaction (pg_stat_activity stays frozen within one). */
async function waitingForLocks(): Promise<number> {
  const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
  );
  return row?.n ?? 0;
}

async function untilWaiting(n: number): Promise<void> {
  for (let i = 0; i < 200 && (await waitingForLocks()) < n; i++) await new Promise((r) => setTimeout(r, 25));
  expect(await waitingForLocks()).toBe(n);
}

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

it("refuses the second of two concurrent profile updates of one person read at one version with concurrency_conflict", async () => {
  const accountId = `org_state_person_${Date.now()}`;
  const domain = `people${Date.now()}.test`;
  await verifyDomain(accountId, domain);
  const directory = { accountId, tokenId: "scimtok_test" };
  const origin = { actor: SYSTEM_ACTOR };
  const person = await h.service.directory.createUser(
    directory,
    scimUser(`bjensen@${domain}`, "Barbara"),
    origin,
  );
  const before = await h.service.db.user.findUniqueOrThrow({ where: { id: person.id } });
  // The gate holds the person's row, so the first update waits in its inline handler after its append,
  // and the second has read the same version before either commits. Nothing the commands do locks.
  const gate = new Client({ connectionString: h.db.url });
  await gate.connect();
  await gate.query("BEGIN");
  await gate.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [person.id]);
  const rename = (givenName: string) =>
    h.service.directory
      .patchUser(directory, person.id, [{ op: "replace", path: "name.givenName", value: givenName }], origin)
      .then(
        (record) => ({ ok: record.name.givenName }),
        (error: { code?: string }) => ({ failed: error.code }),
      );
  const waiting = async () => {
    const [row] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
    );
    return row?.n ?? 0;
  };
  let second: ReturnType<typeof rename> | undefined;
  const first = rename("Babs");
  try {
    for (let i = 0; i < 200 && (await waiting()) < 1; i++) await new Promise((r) => setTimeout(r, 25));
    second = rename("Barb");
    for (let i = 0; i < 200 && (await waiting()) < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await waiting()).toBe(2);
  } finally {
    await gate.query("ROLLBACK");
    await gate.end();
  }

  expect(await Promise.all([first, second])).toEqual([{ ok: "Babs" }, { failed: "concurrency_conflict" }]);
  const after = await h.service.db.user.findUniqueOrThrow({ where: { id: person.id } });
  expect([after.givenName, after.version]).toEqual(["Babs", before.version + 1]);
  const [updates] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM platform_events WHERE aggregate_id = $1 AND event_type = 'platform.identity.UserProfileUpdated'",
    person.id,
  );
  expect(updates?.n).toBe(1);
  // An update that read the person after the first committed appends after it.
  expect(await rename("Barb")).toEqual({ ok: "Barb" });
});

it("refuses the second of two concurrent userName changes of one person read at one version with concurrency_conflict", async () => {
  const accountId = `org_state_access_${Date.now()}`;
  const directory = { accountId, tokenId: "scimtok_test" };
  const origin = { actor: SYSTEM_ACTOR };
  const person = await h.service.directory.createUser(
    directory,
    scimUser(`rename.${Date.now()}@example.com`, "Robin"),
    origin,
  );
  // As above: the gate holds the person's row, so both commands read one version before either commits.
  const gate = new Client({ connectionString: h.db.url });
  await gate.connect();
  await gate.query("BEGIN");
  await gate.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [person.id]);
  const rename = (userName: string) =>
    h.service.directory
      .patchUser(directory, person.id, [{ op: "replace", path: "userName", value: userName }], origin)
      .then(
        (record) => ({ ok: record.userName }),
        (error: { code?: string }) => ({ failed: error.code }),
      );
  let second: ReturnType<typeof rename> | undefined;
  const first = rename("robin.one");
  try {
    await untilWaiting(1);
    second = rename("robin.two");
    await untilWaiting(2);
  } finally {
    await gate.query("ROLLBACK");
    await gate.end();
  }

  expect(await Promise.all([first, second])).toEqual([
    { ok: "robin.one" },
    { failed: "concurrency_conflict" },
  ]);
  const access = await h.service.db.accountAccess.findUniqueOrThrow({
    where: { userId_accountId: { userId: person.id, accountId } },
  });
  expect([access.userName, access.revision]).toEqual(["robin.one", person.version + 1]);
  const [updates] = await h.service.db.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM platform_events WHERE aggregate_id = $1 AND event_type = 'platform.identity.DirectoryUserUpdated'",
    person.id,
  );
  expect(updates?.n).toBe(1);
});

it("revokes a key once when two revocations race: one succeeds, the other is concurrency_conflict, one AccessRevoked", async () => {
  const accountId = `org_state_keyrace_${Date.now()}`;
  const { token } = await personIn(accountId, "owner");
  const created = await h.call("POST", `/v1/organizations/${accountId}/api-keys`, {
    token,
    body: { name: "raced", scopes: ["members.read"] },
  });
  expect(created.status).toBe(201);
  const keyId = created.body.id as string;
  // A gate on the key's row, so both revocations read the unrevoked key (version 1) before either
  // commits: the first waits in ApiKeyRevoked's inline handler, the second on the first's event.
  const gate = new Client({ connectionString: h.db.url });
  await gate.connect();
  await gate.query("BEGIN");
  await gate.query("UPDATE api_keys SET name = name WHERE id = $1", [keyId]);
  const revoke = () => h.call("DELETE", `/v1/organizations/${accountId}/api-keys/${keyId}`, { token });
  let first: ReturnType<typeof revoke> | undefined;
  let second: ReturnType<typeof revoke> | undefined;
  try {
    first = revoke();
    await untilWaiting(1);
    second = revoke();
    await untilWaiting(2);
  } finally {
    await gate.query("ROLLBACK");
    await gate.end();
  }
  const answers = await Promise.all([first, second]);
  expect(answers.map((a) => [a?.status, a?.body?.code ?? null])).toEqual([
    [204, null],
    [409, "concurrency_conflict"],
  ]);

  const eventsOf = () =>
    h.service.db.$queryRawUnsafe<{ event_type: string }[]>(
      `SELECT event_type FROM platform_events
        WHERE aggregate_id = $1 OR (event_type LIKE '%AccessRevoked' AND payload->>'subject_id' = $1)
        ORDER BY position`,
      keyId,
    );
  const revokedOnce = [IdentityEvent.ApiKeyCreated, IdentityEvent.ApiKeyRevoked, IdentityEvent.AccessRevoked];
  expect((await eventsOf()).map((e) => e.event_type)).toEqual(revokedOnce);
  const row = await h.service.db.apiKey.findUniqueOrThrow({ where: { id: keyId } });
  expect([row.version, row.revokedAt]).toEqual([2, expect.any(Date)]);
  // Revoking a revoked key later is a no-op: no second event.
  expect((await revoke()).status).toBe(204);
  expect((await eventsOf()).map((e) => e.event_type)).toEqual(revokedOnce);
});

it("rebuilds the inline tables from platform_events, equal to the live ones, at a later time", async () => {
  const accountId = `org_state_rebuild_${Date.now()}`;
  const { userId, token } = await personIn(accountId, "owner");
  for (const permissions of [["projects.read"], ["projects.read", "projects.deploy"]])
    expect(
      (await h.call("PUT", `/v1/organizations/${accountId}/roles/deployer`, { token, body: { permissions } }))
        .status,
    ).toBe(200);
  // Credentials: a key minted by a key (revoking the parent revokes the child), SCIM tokens, and SSO
  // connections of both protocols.
  const mint = async (bearer: string, name: string) => {
    const res = await h.call("POST", `/v1/organizations/${accountId}/api-keys`, {
      token: bearer,
      body: { name, scopes: ["api_keys.create", "members.read"], expires_at: "2099-01-01T00:00:00.000Z" },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };
  const parent = await mint(token, "parent");
  const exchanged = await h.call("POST", "/v1/tokens", {
    body: { grant_type: "api_key", api_key: parent.key },
  });
  const child = await mint(exchanged.body.access_token, "child");
  const keptKey = await mint(token, "kept");
  h.clock.advance(60_000);
  expect(
    (await h.call("DELETE", `/v1/organizations/${accountId}/api-keys/${parent.id}`, { token })).status,
  ).toBe(204);
  expect((await h.service.db.apiKey.findUniqueOrThrow({ where: { id: child.id } })).revokedAt).not.toBeNull();
  const scimTokens = [];
  for (let i = 0; i < 2; i++) {
    const res = await h.call("POST", `/v1/organizations/${accountId}/scim-tokens`, { token });
    expect(res.status).toBe(201);
    scimTokens.push(res.body.id as string);
  }
  expect(
    (await h.call("DELETE", `/v1/organizations/${accountId}/scim-tokens/${scimTokens[0]}`, { token })).status,
  ).toBe(204);
  const idp = await createSigningIdentity("idp.state.test");
  await h.service.sso.configureSaml(
    accountId,
    {
      name: "State SAML",
      idpEntityId: "https://idp.state.test/entity",
      idpSsoUrl: "https://idp.state.test/sso",
      idpCertificate: idp.certificatePem,
      domains: ["state.test"],
    },
    { actor: SYSTEM_ACTOR },
  );
  await h.service.oidc.configure(
    accountId,
    {
      name: "State OIDC",
      issuer: "https://oidc.state.test",
      clientId: "client-state",
      clientSecret: "a client secret",
      jitProvisioning: false,
      defaultRole: "member",
    },
    { actor: SYSTEM_ACTOR },
  );
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

  // People: a sign-up by invitation, a verified address, a password reset, a directory's person
  // renamed and suspended, each from its events.
  const invitationId = `inv_state_${Date.now()}`;
  const inviteeEmail = `invitee.${Date.now()}@example.com`;
  await h.publishTenancyEvent(TenancyEvent.InvitationSent, invitationId, 1, {
    account_id: accountId,
    invitation_id: invitationId,
    invitee_email_hash: sha256(inviteeEmail),
    invitee_role: "member",
    group_id: null,
    expires_at: Date.now() + 86_400_000,
    occurred_at: Date.now(),
    actor: system,
    token_sha256: sha256("secret"),
  });
  await waitFor(
    () => h.service.db.invitation.findUnique({ where: { id: invitationId } }).then((row) => row ?? undefined),
    { what: "the invitation to be projected" },
  );
  const invitee = await h.call("POST", "/v1/users", {
    body: {
      email: inviteeEmail,
      password: "correct horse battery staple",
      invitation_token: `${invitationId}.secret`,
    },
  });
  expect(invitee.status).toBe(201);
  const link = async (recipient: string, template: string) => {
    const row = await h.service.db.outboundEmail.findFirstOrThrow({
      where: { recipient, template },
      orderBy: { createdAt: "desc" },
    });
    return new URL((row.variables as { link: string }).link).searchParams.get("token");
  };
  const reader = { email: `reader.${Date.now()}@example.com`, password: "correct horse battery staple" };
  await h.call("POST", "/v1/users", { body: reader });
  h.clock.advance(1_000);
  expect(
    (await h.call("POST", "/v1/email/verify", { body: { token: await link(reader.email, "verify_email") } }))
      .status,
  ).toBeLessThan(300);
  const forgetful = {
    email: `forgetful.${Date.now()}@example.com`,
    password: "correct horse battery staple",
  };
  await h.call("POST", "/v1/users", { body: forgetful });
  await h.call("POST", "/v1/password/forgot", { body: { email: forgetful.email } });
  h.clock.advance(1_000);
  const reset = await h.call("POST", "/v1/password/reset", {
    body: { token: await link(forgetful.email, "reset_password"), password: "another horse battery staple" },
  });
  expect(reset.status).toBeLessThan(300);
  const domain = `rebuild${Date.now()}.test`;
  await verifyDomain(accountId, domain);
  const provisioned = await h.service.directory.createUser(
    directory,
    scimUser(`pat@${domain}`, "Pat"),
    origin,
  );
  h.clock.advance(1_000);
  await h.service.directory.replaceUser(
    directory,
    provisioned.id,
    scimUser(`pat@${domain}`, "Patricia", false),
    origin,
  );

  // Access: a directory's people with their own userName and externalId, renamed by PATCH and PUT,
  // one removed; tenancy echoes the grants, changes one role and removes the invitee.
  const sam = await h.service.directory.createUser(
    directory,
    { ...scimUser(`sam@${domain}`, "Sam"), userName: "Sam.Lee", externalId: "ext-sam-1" },
    origin,
  );
  h.clock.advance(1_000);
  await h.service.directory.patchUser(
    directory,
    sam.id,
    [{ op: "replace", path: "userName", value: "samuel.lee" }],
    origin,
  );
  await h.service.directory.replaceUser(
    directory,
    sam.id,
    { ...scimUser(`sam@${domain}`, "Sam"), userName: "samuel.lee", externalId: "ext-sam-2" },
    origin,
  );
  const drew = await h.service.directory.createUser(
    directory,
    { ...scimUser(`drew@${domain}`, "Drew"), userName: "drew", externalId: "ext-drew" },
    origin,
  );
  await h.service.directory.deleteUser(directory, drew.id, origin);
  const membership = async (type: string, member: string, version: number, data: Record<string, unknown>) =>
    h.publishTenancyEvent(`platform.tenancy.${type}`, `${accountId}:${member}`, version, {
      account_id: accountId,
      user_id: member,
      group_id: accountId,
      group_type: "account",
      occurred_at: h.clock.now().getTime(),
      actor: system,
      ...data,
    });
  await membership("MemberAdded", sam.id, 1, { role: "member", source: "scim" });
  h.clock.advance(1_000);
  await membership("MemberRoleChanged", sam.id, 2, { previous_role: "member", role: "admin" });
  await membership("MemberAdded", invitee.body.user_id, 1, { role: "member", source: "invitation" });
  h.clock.advance(1_000);
  await membership("MemberRemoved", invitee.body.user_id, 2, { role: "member", reason: "removed" });
  const accessIn = (member: string) => accessOf(h.service.db, member, accountId);
  await waitFor(async () => ((await accessIn(sam.id))?.role === "admin" ? true : undefined), {
    what: "sam's role changed by tenancy",
  });
  await waitFor(async () => ((await accessIn(invitee.body.user_id)) === null ? true : undefined), {
    what: "the invitee removed by tenancy",
  });
  // The removal's revocation comes from a process, a consumer apart from the read model's: wait for it
  // too, or the live snapshot below may be taken before it and the rebuild would hold one row more.
  await waitFor(
    async () =>
      (await h.service.db.revocation.count({
        where: { accountId, subjectId: invitee.body.user_id, scope: "membership" },
      })) > 0
        ? true
        : undefined,
    { what: "the invitee's membership revocation" },
  );
  expect(await accessIn(drew.id)).toBeNull();
  const samAccess = await h.service.directory.getUser(directory, sam.id);
  expect([samAccess.userName, samAccess.externalId, samAccess.version]).toEqual([
    "samuel.lee",
    "ext-sam-2",
    4,
  ]);

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
  const person = (id: string) => live.users?.find((row) => row.id === id);
  expect(person(invitee.body.user_id)?.email_verified_at).not.toBeNull();
  expect(person(provisioned.id)?.given_name).toBe("Patricia");
  expect(
    live.users
      ?.filter((row) => [reader.email, forgetful.email].includes(String(row.email)))
      .map((row) => row.email_verified_at !== null),
  ).toEqual([true, true]);
  expect(live.invitation_acceptances?.map((row) => row.invitation_id)).toContain(invitationId);
  const secrets = await h.service.db.userPassword.count();

  const ours = (table: string) => live[table]?.filter((row) => row.account_id === accountId) ?? [];
  expect(ours("api_keys").map((row) => [row.name, row.revoked_at !== null])).toEqual(
    expect.arrayContaining([
      ["parent", true],
      ["child", true],
      ["kept", false],
    ]),
  );
  expect(ours("scim_tokens").filter((row) => row.revoked_at !== null)).toHaveLength(1);
  expect(
    ours("sso_connections")
      .map((row) => row.protocol)
      .sort(),
  ).toEqual(["oidc", "saml"]);
  // The secrets are not in the projected rows, and survive the rebuild in their own tables.
  expect(JSON.stringify(live)).not.toContain("a client secret");
  expect(JSON.stringify(live)).not.toContain(parent.key);
  const secretsBefore = await h.service.db.apiKeySecret.count();

  // Access: identity's rows and tenancy's, and the view code reads them through.
  const accessSnapshot = async (): Promise<Record<string, Record<string, unknown>[]>> =>
    Object.fromEntries(
      await Promise.all(
        ["account_memberships", "account_members"].map(async (table) => [
          table,
          await h.service.db.$queryRawUnsafe<Record<string, unknown>[]>(
            `SELECT * FROM ${table} ORDER BY to_jsonb(${table})::text`,
          ),
        ]),
      ),
    );
  const liveAccess = await accessSnapshot();
  const ourAccess = ours("account_access");
  expect(
    ourAccess
      .filter((row) => [sam.id, drew.id].includes(String(row.user_id)))
      .map((row) => [row.user_name, row.external_id, row.removed_at !== null])
      .sort(),
  ).toEqual([
    [null, null, true],
    ["samuel.lee", "ext-sam-2", false],
  ]);
  expect(
    liveAccess.account_memberships
      ?.filter((row) => row.account_id === accountId && row.user_id === sam.id)
      .map((row) => [row.role, row.role_changes]),
  ).toEqual([["admin", 1]]);

  h.clock.advance(86_400_000);
  expect(await h.service.rebuildState()).toBeGreaterThan(0);
  expect(await snapshot()).toEqual(live);
  // tenancy's half is rebuilt by replaying the topics, and the view then reads as it did.
  await h.service.rebuildReadModels();
  await waitFor(
    async () => (JSON.stringify(await accessSnapshot()) === JSON.stringify(liveAccess) ? true : undefined),
    { what: "account_memberships rebuilt from tenancy.events" },
  );
  expect(await accessSnapshot()).toEqual(liveAccess);
  // The secret store is not the log's to rebuild, and a rebuild leaves it alone.
  expect(await h.service.db.userPassword.count()).toBe(secrets);
  expect(await h.service.db.apiKeySecret.count()).toBe(secretsBefore);
  // The rebuilt rows still serve: the kept key is exchanged, the revoked one refused.
  expect(
    (await h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: keptKey.key } })).status,
  ).toBe(200);
  expect(
    (await h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: parent.key } })).status,
  ).toBe(401);
});
