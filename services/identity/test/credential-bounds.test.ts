/**
 * A credential one person mints for an organization never holds more than that person holds now, and
 * revocation is real: a revoked session's or key's token is refused at once, and what was minted with
 * it goes with it. (Other services refusing within seconds: e2e/test/revocation.test.ts.)
 */
import { waitFor } from "@platform/testkit";
import { type Harness, startIdentity } from "./support/harness";
import { createSigningIdentity } from "./support/saml-idp";

let h: Harness;
beforeAll(async () => {
  h = await startIdentity();
});
afterAll(() => h.close());

const SYSTEM = { type: "system", id: null, ip_address: null, user_agent: null };
const password = "correct horse battery staple";
let counter = 0;

interface Person {
  userId: string;
  email: string;
  token: string;
  refreshToken: string;
  accountId: string;
}

async function personIn(accountId: string, role: string): Promise<Person> {
  const email = `bounded${++counter}.${Date.now()}@example.com`;
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember(accountId, body.user_id, role);
  const session = await h.call("POST", "/v1/sessions", { body: { email, password, account_id: accountId } });
  return {
    userId: body.user_id,
    email,
    token: session.body.access_token,
    refreshToken: session.body.refresh_token,
    accountId,
  };
}

const versions = new Map<string, number>();
/** tenancy changes the person's membership (the harness added it as version 1 of that aggregate). */
async function tenancyChanges(person: Person, type: "MemberRoleChanged" | "MemberRemoved", role: string) {
  const aggregate = `${person.accountId}:${person.userId}`;
  const version = (versions.get(aggregate) ?? 1) + 1;
  versions.set(aggregate, version);
  const common = {
    account_id: person.accountId,
    user_id: person.userId,
    group_id: person.accountId,
    group_type: "account",
    occurred_at: Date.now(),
    actor: SYSTEM,
  };
  await h.publishTenancyEvent(
    `platform.tenancy.${type}`,
    aggregate,
    version,
    type === "MemberRoleChanged"
      ? { ...common, previous_role: "admin", role }
      : { ...common, role, reason: "removed" },
  );
}

async function createKey(person: { token: string }, accountId: string, scopes: string[]) {
  return h.call("POST", `/v1/organizations/${accountId}/api-keys`, {
    token: person.token,
    body: { name: `key ${++counter}`, scopes },
  });
}

async function exchange(key: string) {
  return h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: key } });
}

async function me(token: string) {
  return h.call("GET", "/v1/me", { token });
}

describe("a key never holds more than its creator", () => {
  it("refuses, naming what is missing, a key an admin asks for with everything or roles.manage", async () => {
    const admin = await personIn("org_bound_create", "admin");
    for (const scopes of [["*"], ["roles.manage", "members.read"], ["roles.*"]]) {
      const res = await createKey(admin, "org_bound_create", scopes);
      expect([res.status, res.body.code]).toEqual([403, "grant_exceeds_own_permissions"]);
      expect(res.body.missing).toEqual(scopes.filter((s) => s !== "members.read"));
    }
    expect(await h.service.db.apiKey.count({ where: { accountId: "org_bound_create" } })).toBe(0);
    // Within the admin's rights it works, and its token cannot change roles.
    const ok = await createKey(admin, "org_bound_create", ["members.*", "api_keys.*"]);
    expect(ok.status).toBe(201);
    const token = (await exchange(ok.body.key)).body.access_token;
    const redefine = await h.call("PUT", "/v1/organizations/org_bound_create/roles/member", {
      token,
      body: { permissions: ["*"] },
    });
    expect([redefine.status, redefine.body.code]).toEqual([403, "permission_denied"]);
  });

  it("lets a key mint a key only within its own scopes, and the child dies with its parent", async () => {
    const owner = await personIn("org_bound_chain", "owner");
    const parent = (await createKey(owner, "org_bound_chain", ["api_keys.*", "members.read", "scim.manage"]))
      .body;
    const parentToken = (await exchange(parent.key)).body.access_token;
    const tooMuch = await createKey({ token: parentToken }, "org_bound_chain", [
      "members.read",
      "groups.read",
    ]);
    expect([tooMuch.status, tooMuch.body.code]).toEqual([403, "grant_exceeds_own_permissions"]);
    const child = (await createKey({ token: parentToken }, "org_bound_chain", ["members.read"])).body;
    expect(child.key).toMatch(/^sk_live_/);
    const scim = await h.call("POST", "/v1/organizations/org_bound_chain/scim-tokens", {
      token: parentToken,
    });
    expect(scim.status).toBe(201);
    expect((await exchange(child.key)).status).toBe(200);

    await h.call("DELETE", `/v1/organizations/org_bound_chain/api-keys/${parent.id}`, { token: owner.token });
    // The parent's token is refused at once, cannot mint again, and what it minted is revoked.
    expect((await me(parentToken)).body.code).toBe("token_revoked");
    const again = await createKey({ token: parentToken }, "org_bound_chain", ["members.read"]);
    expect(again.status).toBe(401);
    expect([(await exchange(child.key)).status]).toEqual([401]);
    const scimUse = await fetch(`${h.url}/scim/v2/Users`, {
      headers: { authorization: `Bearer ${scim.body.token}` },
    });
    expect(scimUse.status).toBe(401);
    const child_row = await h.service.db.apiKey.findUniqueOrThrow({ where: { id: child.id } });
    expect(child_row.revokedAt).not.toBeNull();
  });

  it("takes from a key what its creator loses, at every use, and all of it when they leave", async () => {
    const admin = await personIn("org_bound_use", "admin");
    const { key } = (await createKey(admin, "org_bound_use", ["members.read", "audit.read"])).body;
    const before = (await exchange(key)).body.access_token;
    expect((await me(before)).body.permissions).toEqual(["audit.read", "members.read"]);

    await tenancyChanges(admin, "MemberRoleChanged", "member");
    await waitFor(async () => ((await me(before)).status === 401 ? true : undefined), {
      what: "the old key token to be refused after the creator's demotion",
    });
    expect((await me(before)).body.code).toBe("token_revoked");
    const narrowed = (await exchange(key)).body.access_token;
    expect((await me(narrowed)).body.permissions).toEqual(["members.read"]);

    await tenancyChanges(admin, "MemberRemoved", "member");
    await waitFor(async () => ((await exchange(key)).status === 401 ? true : undefined), {
      what: "the key to stop exchanging once its creator left",
    });
    expect((await exchange(key)).body.code).toBe("api_key_invalid");
    expect((await me(narrowed)).status).toBe(401);
    // The person's own token acting in the organization is refused too.
    expect((await me(admin.token)).body.code).toBe("session_revoked");
  });

  it("narrows the keys of everyone holding an organization's role when the role is redefined", async () => {
    const owner = await personIn("org_bound_roles", "owner");
    const put = await h.call("PUT", "/v1/organizations/org_bound_roles/roles/auditor", {
      token: owner.token,
      body: { permissions: ["audit.read", "members.read", "api_keys.create"] },
    });
    expect(put.status).toBe(200);
    const auditor = await personIn("org_bound_roles", "auditor");
    const { key } = (await createKey(auditor, "org_bound_roles", ["audit.read", "members.read"])).body;
    const before = (await exchange(key)).body.access_token;
    await h.call("PUT", "/v1/organizations/org_bound_roles/roles/auditor", {
      token: owner.token,
      body: { permissions: ["members.read"] },
    });
    expect((await me(before)).body.code).toBe("token_revoked");
    expect((await me((await exchange(key)).body.access_token)).body.permissions).toEqual(["members.read"]);
  });

  it("stops a SCIM token whose issuer no longer manages the directory", async () => {
    const admin = await personIn("org_bound_scim", "admin");
    const issued = await h.call("POST", "/v1/organizations/org_bound_scim/scim-tokens", {
      token: admin.token,
    });
    const use = () =>
      fetch(`${h.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${issued.body.token}` } });
    expect((await use()).status).toBe(200);
    await tenancyChanges(admin, "MemberRoleChanged", "member");
    await waitFor(async () => ((await use()).status === 401 ? true : undefined), {
      what: "the SCIM token to stop once its issuer lost scim.manage",
    });
  });
});

describe("nobody hands on more than they hold", () => {
  it("refuses a role definition beyond the definer's own permissions", async () => {
    const owner = await personIn("org_bound_define", "owner");
    await h.call("PUT", "/v1/organizations/org_bound_define/roles/role_admin", {
      token: owner.token,
      body: { permissions: ["roles.manage", "members.read"] },
    });
    const roleAdmin = await personIn("org_bound_define", "role_admin");
    for (const permissions of [["*"], ["members.*"], ["audit.read", "members.read"]]) {
      const res = await h.call("PUT", "/v1/organizations/org_bound_define/roles/escalated", {
        token: roleAdmin.token,
        body: { permissions },
      });
      expect([res.status, res.body.code]).toEqual([403, "grant_exceeds_own_permissions"]);
    }
    expect(await h.service.db.roleDefinition.count({ where: { role: "escalated" } })).toBe(0);
    const within = await h.call("PUT", "/v1/organizations/org_bound_define/roles/reader", {
      token: roleAdmin.token,
      body: { permissions: ["members.read"] },
    });
    expect(within.status).toBe(200);
  });

  it.each(["saml", "oidc"])(
    "refuses a %s connection whose default role exceeds its configurer's",
    async (kind) => {
      const admin = await personIn(`org_bound_${kind}`, "admin");
      const body =
        kind === "saml"
          ? {
              name: "Okta",
              idp_entity_id: "https://idp.test/entity",
              idp_sso_url: "https://idp.test/sso",
              idp_certificate: (await createSigningIdentity("bound")).certificatePem,
              domains: ["bound.test"],
            }
          : {
              name: "Entra",
              issuer: "https://login.bound.test",
              client_id: "client",
              client_secret: "secret",
              domains: ["bound.test"],
            };
      const res = await h.call("POST", `/v1/organizations/org_bound_${kind}/sso/${kind}-connections`, {
        token: admin.token,
        body: { ...body, default_role: "owner" },
      });
      expect([res.status, res.body.code, res.body.missing]).toEqual([
        403,
        "grant_exceeds_own_permissions",
        ["*"],
      ]);
      expect(await h.service.db.ssoConnection.count({ where: { accountId: `org_bound_${kind}` } })).toBe(0);
    },
  );
});

describe("revocation at identity", () => {
  it("refuses a signed-out session's token at once", async () => {
    const person = await personIn("org_revoke_session", "member");
    expect((await me(person.token)).status).toBe(200);
    expect((await h.call("DELETE", "/v1/sessions/current", { token: person.token })).status).toBe(204);
    expect((await me(person.token)).body.code).toBe("session_revoked");
  });

  it("revokes what a session minted when its refresh token turns out to have leaked, not on sign-out", async () => {
    const owner = await personIn("org_revoke_leak", "owner");
    const minted = (await createKey(owner, "org_revoke_leak", ["members.read"])).body;
    const refreshed = await h.call("POST", "/v1/sessions/refresh", {
      body: { refresh_token: owner.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    // The rotated-away refresh token again: someone else has it.
    const replay = await h.call("POST", "/v1/sessions/refresh", {
      body: { refresh_token: owner.refreshToken },
    });
    expect(replay.status).toBe(401);
    expect((await me(refreshed.body.access_token)).body.code).toBe("session_revoked");
    expect((await exchange(minted.key)).status).toBe(401);

    const other = await personIn("org_revoke_leak", "owner");
    const kept = (await createKey(other, "org_revoke_leak", ["members.read"])).body;
    await h.call("DELETE", "/v1/sessions/current", { token: other.token });
    expect((await exchange(kept.key)).status).toBe(200);
  });

  it("publishes every revocation as AccessRevoked for other services, with no secret in it", async () => {
    const rows = await h.service.db.revocation.findMany();
    expect(new Set(rows.map((row) => row.scope))).toEqual(new Set(["session", "api_key", "membership"]));
    const events = await waitFor(
      async () => {
        const published = await h.service.db.$queryRawUnsafe<{ data: unknown }[]>(
          "SELECT payload AS data FROM platform_events WHERE event_type = 'platform.identity.AccessRevoked' AND published_at IS NOT NULL",
        );
        return published.length === rows.length ? published : undefined;
      },
      { what: "every AccessRevoked to be published" },
    );
    expect(JSON.stringify(events)).not.toMatch(/sk_live_|scim_|rt_/);
  });
});
