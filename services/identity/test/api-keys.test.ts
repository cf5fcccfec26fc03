/**
 * Organization API keys and the audit log: shown once, stored hashed, scoped, revocable, last use
 * recorded; one organization never sees or touches another's keys or audit entries.
 */
import { waitFor } from "@platform/testkit";
import { sha256 } from "../src/domain/secrets";
import { type Harness, startIdentity } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

let counter = 0;
async function personIn(accountId: string, role: string) {
  const email = `admin${++counter}.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember(accountId, body.user_id, role);
  const session = await h.call("POST", "/v1/sessions", {
    body: { email, password, account_id: accountId },
    headers: { "user-agent": "api-keys-test/1.0" },
  });
  return { userId: body.user_id as string, token: session.body.access_token as string };
}

describe("API keys", () => {
  it("shows the key once, stores only its hash, and exchanges it for a scoped token", async () => {
    const admin = await personIn("org_keys", "admin");
    const created = await h.call("POST", "/v1/organizations/org_keys/api-keys", {
      token: admin.token,
      body: { name: "CI deploys", scopes: ["members.read", "groups.read"] },
    });
    expect(created.status).toBe(201);
    const { key, id, prefix } = created.body;
    expect(key).toMatch(/^sk_live_/);
    expect(key.startsWith(prefix)).toBe(true);
    const row = await h.service.db.apiKey.findUniqueOrThrow({ where: { id } });
    const secret = await h.service.db.apiKeySecret.findUniqueOrThrow({ where: { keyId: id } });
    expect(secret.secretHash).toBe(sha256(key));
    expect(JSON.stringify([row, secret])).not.toContain(key);

    const listed = await h.call("GET", "/v1/organizations/org_keys/api-keys", { token: admin.token });
    expect(listed.body.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const exchanged = await h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: key } });
    expect(exchanged.status).toBe(200);
    const me = await h.call("GET", "/v1/me", { token: exchanged.body.access_token });
    expect(me.body).toMatchObject({
      kind: "api_key",
      api_key_id: id,
      account_id: "org_keys",
      permissions: ["groups.read", "members.read"],
    });
    expect(
      (await h.service.db.apiKeySecret.findUniqueOrThrow({ where: { keyId: id } })).lastUsedAt,
    ).not.toBeNull();

    // A key's token cannot manage keys: its scopes do not include api_keys.*.
    const escalate = await h.call("POST", "/v1/organizations/org_keys/api-keys", {
      token: exchanged.body.access_token,
      body: { name: "escalation", scopes: ["*"] },
    });
    expect([escalate.status, escalate.body.code]).toEqual([403, "permission_denied"]);
  });

  it("stops working at once when revoked, and records who revoked it", async () => {
    const admin = await personIn("org_revoke", "admin");
    const { key, id } = (
      await h.call("POST", "/v1/organizations/org_revoke/api-keys", {
        token: admin.token,
        body: { name: "temp", scopes: ["members.read"] },
      })
    ).body;
    expect(
      (await h.call("DELETE", `/v1/organizations/org_revoke/api-keys/${id}`, { token: admin.token })).status,
    ).toBe(204);
    const refused = await h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: key } });
    expect([refused.status, refused.body.code]).toEqual([401, "api_key_invalid"]);
    // Revoking twice is harmless.
    expect(
      (await h.call("DELETE", `/v1/organizations/org_revoke/api-keys/${id}`, { token: admin.token })).status,
    ).toBe(204);
  });

  it.each([
    ["no name", { scopes: ["members.read"] }, "api_key_name_invalid"],
    ["no scopes", { name: "x", scopes: [] }, "api_key_scopes_invalid"],
    ["a malformed scope", { name: "x", scopes: ["projects"] }, "api_key_scopes_invalid"],
    [
      "an expiry in the past",
      { name: "x", scopes: ["members.read"], expires_at: "2001-01-01T00:00:00Z" },
      "api_key_expiry_invalid",
    ],
  ])("refuses %s and creates nothing", async (_case, body, code) => {
    const admin = await personIn("org_bad_keys", "admin");
    const res = await h.call("POST", "/v1/organizations/org_bad_keys/api-keys", { token: admin.token, body });
    expect([res.status, res.body.code]).toEqual([400, code]);
    expect(await h.service.db.apiKey.count({ where: { accountId: "org_bad_keys" } })).toBe(0);
  });

  it("refuses an expired key and an unknown key alike", async () => {
    const admin = await personIn("org_expiry", "admin");
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { key } = (
      await h.call("POST", "/v1/organizations/org_expiry/api-keys", {
        token: admin.token,
        body: { name: "short", scopes: ["members.read"], expires_at: expiresAt },
      })
    ).body;
    h.clock.advance(120_000);
    try {
      const expired = await h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: key } });
      expect([expired.status, expired.body.code]).toEqual([401, "api_key_invalid"]);
    } finally {
      h.clock.advance(-120_000);
    }
    const unknown = await h.call("POST", "/v1/tokens", {
      body: { grant_type: "api_key", api_key: "sk_live_nope" },
    });
    expect([unknown.status, unknown.body.code]).toEqual([401, "api_key_invalid"]);
  });

  it("keeps tenants apart: another organization's admin can neither list nor revoke a key", async () => {
    const owner = await personIn("org_owner", "admin");
    const intruder = await personIn("org_intruder", "admin");
    const { id } = (
      await h.call("POST", "/v1/organizations/org_owner/api-keys", {
        token: owner.token,
        body: { name: "mine", scopes: ["members.read"] },
      })
    ).body;
    const list = await h.call("GET", "/v1/organizations/org_owner/api-keys", { token: intruder.token });
    expect([list.status, list.body.code]).toEqual([403, "account_mismatch"]);
    const revoke = await h.call("DELETE", `/v1/organizations/org_owner/api-keys/${id}`, {
      token: intruder.token,
    });
    expect(revoke.status).toBe(403);
    // Through its own organization's path, the key does not exist.
    const sideways = await h.call("DELETE", `/v1/organizations/org_intruder/api-keys/${id}`, {
      token: intruder.token,
    });
    expect([sideways.status, sideways.body.code]).toEqual([404, "api_key_not_found"]);
    expect((await h.service.db.apiKey.findUniqueOrThrow({ where: { id } })).revokedAt).toBeNull();
  });

  it("refuses members without api_keys permissions", async () => {
    const member = await personIn("org_members", "member");
    const res = await h.call("POST", "/v1/organizations/org_members/api-keys", {
      token: member.token,
      body: { name: "x", scopes: ["projects.read"] },
    });
    expect([res.status, res.body.code]).toEqual([403, "permission_denied"]);
  });
});

describe("audit log", () => {
  it("lists each administrative action of the organization with who, what, when and from where", async () => {
    const admin = await personIn("org_audit", "admin");
    const other = await personIn("org_audit_other", "admin");
    const { id } = (
      await h.call("POST", "/v1/organizations/org_audit/api-keys", {
        token: admin.token,
        body: { name: "audited", scopes: ["members.read"] },
      })
    ).body;
    await h.call("DELETE", `/v1/organizations/org_audit/api-keys/${id}`, { token: admin.token });
    const entries = await waitFor(
      async () => {
        const res = await h.call("GET", "/v1/organizations/org_audit/audit-log", { token: admin.token });
        const actions = (res.body.data as { action: string }[]).map((e) => e.action);
        return actions.includes("ApiKeyRevoked") ? res.body.data : undefined;
      },
      { what: "the audit log to show the revocation" },
    );
    const revoked = entries.find((e: { action: string }) => e.action === "ApiKeyRevoked");
    expect(revoked).toMatchObject({
      target_id: id,
      actor: { type: "user", id: admin.userId, user_agent: expect.any(String) },
    });
    expect(revoked.actor.ip_address).toMatch(/127\.0\.0\.1/);
    expect(entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(["ApiKeyCreated", "ApiKeyRevoked", "UserSignedIn"]),
    );

    const foreign = await h.call("GET", "/v1/organizations/org_audit/audit-log", { token: other.token });
    expect(foreign.status).toBe(403);
    const own = await h.call("GET", "/v1/organizations/org_audit_other/audit-log", { token: other.token });
    expect(JSON.stringify(own.body)).not.toContain(id);
  });

  it("rebuilds from identity.events to the same entries", async () => {
    const before = await h.service.db.auditEntry.findMany({ orderBy: { eventId: "asc" } });
    expect(before.length).toBeGreaterThan(0);
    await h.service.rebuildReadModels();
    const after = await waitFor(
      async () => {
        const rows = await h.service.db.auditEntry.findMany({ orderBy: { eventId: "asc" } });
        return rows.length >= before.length ? rows : undefined;
      },
      { what: "the rebuilt audit log" },
    );
    expect(after).toEqual(before);
  });
});
