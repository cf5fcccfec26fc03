/**
 * OpenID Connect sign-in per organization (openid-client), against a test provider: code flow with
 * PKCE, state and nonce; forged, expired or misdirected ID tokens and unverified addresses are refused.
 */
import { type Harness, startIdentity } from "./support/harness";
import { type IdTokenOverrides, TestOidcProvider } from "./support/oidc-idp";

let h: Harness;
let provider: TestOidcProvider;
beforeAll(async () => {
  [h, provider] = await Promise.all([
    startIdentity(),
    TestOidcProvider.start("platform-client", "s3cret-client"),
  ]);
});
afterAll(async () => {
  await h.close();
  await provider.close();
});

let counter = 0;
async function connect(accountId: string) {
  const email = `oidc-admin${++counter}.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember(accountId, body.user_id, "admin");
  const token = (await h.call("POST", "/v1/sessions", { body: { email, password, account_id: accountId } }))
    .body.access_token;
  const res = await h.call("POST", `/v1/organizations/${accountId}/sso/oidc-connections`, {
    token,
    body: {
      name: "Acme IdP",
      issuer: provider.issuer,
      client_id: "platform-client",
      client_secret: "s3cret-client",
      domains: ["acme.test"],
    },
  });
  expect(res.status).toBe(201);
  expect(JSON.stringify(res.body)).not.toContain("s3cret-client");
  return res.body.connection_id as string;
}

/** Login redirect → provider → our callback, as a browser would go. */
async function signIn(
  connectionId: string,
  claims: Record<string, unknown>,
  overrides: IdTokenOverrides = {},
) {
  const login = await fetch(`${h.url}/v1/sso/oidc/${connectionId}/login`, { redirect: "manual" });
  expect(login.status).toBe(302);
  const { code, state } = provider.authorize(String(login.headers.get("location")), claims, overrides);
  return h.call("GET", `/v1/sso/oidc/${connectionId}/callback?${new URLSearchParams({ code, state })}`);
}

it("signs a person in with a verified ID token and provisions them (user.provisioned, source oidc)", async () => {
  const connectionId = await connect("org_oidc");
  const email = `ada.${Date.now()}@acme.test`;
  const res = await signIn(connectionId, { sub: "idp-123", email, email_verified: true, given_name: "Ada" });
  expect([res.status, res.body.account_id]).toEqual([201, "org_oidc"]);
  const me = await h.call("GET", "/v1/me", { token: res.body.access_token });
  expect(me.body).toMatchObject({ email, given_name: "Ada", role: "member" });
  const [provisioned] = await h.service.db.$queryRawUnsafe<{ payload: Record<string, unknown> }[]>(
    "SELECT payload FROM platform_events WHERE aggregate_id = $1 AND event_type = 'platform.identity.UserProvisioned'",
    me.body.user_id,
  );
  expect(provisioned?.payload).toMatchObject({
    source: "oidc",
    external_id: "idp-123",
    connection_id: connectionId,
  });
});

it.each<[string, IdTokenOverrides]>([
  ["a token signed by another key", { foreignKey: true }],
  ["a token for another client", { aud: "someone-else" }],
  ["a token from another issuer", { iss: "https://evil.example" }],
  ["a replayed nonce", { nonce: "not-the-one-we-sent" }],
  ["an expired token", { expiresInSeconds: -600 }],
])("refuses %s and provisions nobody", async (_case, overrides) => {
  const connectionId = await connect("org_oidc_bad");
  const email = `mallory.${Date.now()}.${++counter}@acme.test`;
  const res = await signIn(connectionId, { sub: "x", email, email_verified: true }, overrides);
  expect([res.status, res.body.code]).toEqual([401, "oidc_rejected"]);
  expect(await h.service.db.user.count({ where: { email } })).toBe(0);
});

it("refuses an address the provider has not verified", async () => {
  const connectionId = await connect("org_oidc_unverified");
  const res = await signIn(connectionId, {
    sub: "y",
    email: `u.${Date.now()}@acme.test`,
    email_verified: false,
  });
  expect([res.status, res.body.code]).toEqual([401, "oidc_email_unverified"]);
});

it("refuses a callback it did not start, and the same callback twice", async () => {
  const connectionId = await connect("org_oidc_state");
  const forged = await h.call("GET", `/v1/sso/oidc/${connectionId}/callback?code=abc&state=never-issued`);
  expect([forged.status, forged.body.code]).toEqual([401, "oidc_unsolicited"]);
  const login = await fetch(`${h.url}/v1/sso/oidc/${connectionId}/login`, { redirect: "manual" });
  const { code, state } = provider.authorize(String(login.headers.get("location")), {
    sub: "z",
    email: `z.${Date.now()}@acme.test`,
    email_verified: true,
  });
  const query = new URLSearchParams({ code, state });
  expect((await h.call("GET", `/v1/sso/oidc/${connectionId}/callback?${query}`)).status).toBe(201);
  const again = await h.call("GET", `/v1/sso/oidc/${connectionId}/callback?${query}`);
  expect([again.status, again.body.code]).toEqual([401, "oidc_unsolicited"]);
});
