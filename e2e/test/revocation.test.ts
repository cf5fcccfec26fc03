/**
 * Revocation across services, as the platform runs them: a revoked API key's token and a signed-out
 * session's token are refused by identity at once and by tenancy within 2 s (identity publishes
 * AccessRevoked; tenancy's verifier follows identity.events). The measured delays are printed.
 */
import { uniqueName } from "@platform/testkit";
import { call, ensureRunning, identityUrl, organizationOf, signUp, tenancyUrl } from "./support/platform";

const REQUIRED_MS = 2_000;

beforeAll(async () => {
  await ensureRunning("identity", "tenancy");
});

/** Milliseconds from `since` until tenancy answers 401 to the token (polling every 10 ms). */
async function untilTenancyRefuses(token: string, accountId: string, since: number): Promise<number> {
  const deadline = since + 30_000;
  for (;;) {
    const res = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}`, { token });
    if (res.status === 401) return Date.now() - since;
    if (Date.now() > deadline) throw new Error(`tenancy still answers ${res.status} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it("refuses a revoked API key's token at identity at once and at tenancy within 2 s, and it mints nothing", async () => {
  const owner = await signUp(`${uniqueName("revoker")}@example.com`);
  const { accountId, token } = await organizationOf(owner, "Revocation Inc");
  const created = await call(identityUrl, "POST", `/v1/organizations/${accountId}/api-keys`, {
    token,
    body: { name: "to revoke", scopes: ["organization.read", "api_keys.create", "scim.manage"] },
  });
  expect(created.status).toBe(201);
  const keyToken = (
    await call(identityUrl, "POST", "/v1/tokens", {
      body: { grant_type: "api_key", api_key: created.body.key },
    })
  ).body.access_token;
  expect((await call(tenancyUrl, "GET", `/v1/organizations/${accountId}`, { token: keyToken })).status).toBe(
    200,
  );

  const revokedAt = Date.now();
  const revoked = await call(
    identityUrl,
    "DELETE",
    `/v1/organizations/${accountId}/api-keys/${created.body.id}`,
    {
      token,
    },
  );
  expect(revoked.status).toBe(204);
  const atIdentity = await call(identityUrl, "GET", "/v1/me", { token: keyToken });
  expect([atIdentity.status, atIdentity.body.code]).toEqual([401, "token_revoked"]);
  for (const [path, body] of [
    [`/v1/organizations/${accountId}/api-keys`, { name: "successor", scopes: ["organization.read"] }],
    [`/v1/organizations/${accountId}/scim-tokens`, undefined],
  ] as const) {
    expect((await call(identityUrl, "POST", path, { token: keyToken, body })).status).toBe(401);
  }

  const delay = await untilTenancyRefuses(keyToken, accountId, revokedAt);
  console.info(`revoked API key refused by tenancy after ${delay} ms`);
  expect(delay).toBeLessThanOrEqual(REQUIRED_MS);
});

it("refuses a signed-out session's token at tenancy within 2 s", async () => {
  const person = await signUp(`${uniqueName("leaver")}@example.com`);
  const { accountId, token } = await organizationOf(person, "Sign-out Inc");
  expect((await call(tenancyUrl, "GET", `/v1/organizations/${accountId}`, { token })).status).toBe(200);
  const signedOutAt = Date.now();
  expect((await call(identityUrl, "DELETE", "/v1/sessions/current", { token })).status).toBe(204);
  const delay = await untilTenancyRefuses(token, accountId, signedOutAt);
  console.info(`signed-out session refused by tenancy after ${delay} ms`);
  expect(delay).toBeLessThanOrEqual(REQUIRED_MS);
  const ticket = await call(tenancyUrl, "POST", `/v1/organizations/${accountId}/tickets`, {
    token,
    body: { subject: "written after sign-out" },
  });
  expect([ticket.status, ticket.body.code]).toEqual([401, "session_revoked"]);
});
