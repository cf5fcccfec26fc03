/**
 * No secret the platform issues reaches a log. Both services run in this process at log level debug
 * with every line captured; the test goes through their flows as people and clients do (following
 * the links in e-mails as a browser would, misusing some credentials on purpose), keeps every token,
 * key and link secret it is given, and then searches everything logged for each of them.
 */
import { uniqueName, waitFor } from "@platform/testkit";
import { type InProcessPlatform, startInProcess } from "./support/in-process";
import { type Answer, call, organizationOf, PASSWORD } from "./support/platform";

let p: InProcessPlatform;
beforeAll(async () => {
  p = await startInProcess({ logLevel: "debug" });
}, 120_000);
afterAll(() => p?.close());

const secrets = new Map<string, string>();
/** Keeps a secret under a name, and for a JWT its signature too (a log could hold it alone). */
function keep(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length < 8)
    throw new Error(`${name} was not issued: ${String(value)}`);
  secrets.set(name, value);
  const parts = value.split(".");
  if (parts.length === 3 && parts[2]) secrets.set(`${name} (signature)`, parts[2]);
  return value;
}

/** The link in the newest e-mail of a template, opened as a click opens it. */
async function followLink(
  db: { outboundEmail: { findFirst(args: object): Promise<{ variables: unknown } | null> } },
  recipient: string,
  template: string,
): Promise<URL> {
  const row = await waitFor(
    () =>
      db.outboundEmail
        .findFirst({ where: { recipient, template }, orderBy: { createdAt: "desc" } })
        .then((found) => found ?? undefined),
    { what: `the ${template} e-mail` },
  );
  const link = new URL((row.variables as { link: string }).link);
  keep(`${template} link token`, link.searchParams.get("token"));
  await fetch(p.reach(link.href));
  return link;
}

const identity = (method: string, path: string, options?: { body?: unknown; token?: string }) =>
  call(p.urls.identity, method, path, options);
const tenancy = (method: string, path: string, options?: { body?: unknown; token?: string }) =>
  call(p.urls.tenancy, method, path, options);

function expectStatus(answer: Answer, status: number) {
  expect({ status: answer.status, body: answer.body }).toEqual({ status, body: answer.body });
  return answer.body;
}

it("runs the flows of both services and finds none of the secrets they issued in any log line", async () => {
  const email = `${uniqueName("logs")}@example.com`;
  const newPassword = "a different long passphrase";
  keep("password", PASSWORD);
  keep("new password", newPassword);

  // Sign-up and verification, the link clicked, then its token posted.
  expectStatus(await identity("POST", "/v1/users", { body: { email, password: PASSWORD } }), 201);
  const verify = await followLink(p.identity.service.db, email, "verify_email");
  expectStatus(
    await identity("POST", "/v1/email/verify", { body: { token: verify.searchParams.get("token") } }),
    204,
  );
  expectStatus(
    await identity("POST", "/v1/email/verify", { body: { token: verify.searchParams.get("token") } }),
    400,
  );

  // Sign-in, refresh (and a replayed refresh token, which ends the session), sign-in again.
  const first = expectStatus(
    await identity("POST", "/v1/sessions", { body: { email, password: PASSWORD } }),
    201,
  );
  keep("access token", first.access_token);
  keep("refresh token", first.refresh_token);
  const refreshed = expectStatus(
    await identity("POST", "/v1/sessions/refresh", { body: { refresh_token: first.refresh_token } }),
    200,
  );
  keep("refreshed access token", refreshed.access_token);
  keep("refreshed refresh token", refreshed.refresh_token);
  expectStatus(
    await identity("POST", "/v1/sessions/refresh", { body: { refresh_token: first.refresh_token } }),
    401,
  );
  expectStatus(
    await identity("POST", "/v1/sessions", { body: { email, password: "wrong password!!" } }),
    401,
  );

  // Password reset through the e-mailed link.
  expectStatus(await identity("POST", "/v1/password/forgot", { body: { email } }), 202);
  const reset = await followLink(p.identity.service.db, email, "reset_password");
  expectStatus(
    await identity("POST", "/v1/password/reset", {
      body: { token: reset.searchParams.get("token"), password: newPassword },
    }),
    204,
  );
  const session = expectStatus(
    await identity("POST", "/v1/sessions", { body: { email, password: newPassword } }),
    201,
  );
  keep("session access token", session.access_token);
  keep("session refresh token", session.refresh_token);

  // An organization at tenancy, the session switched into it.
  const { accountId, token } = await organizationOf({ token: session.access_token }, "Quiet Logs", p.urls);
  keep("owner access token", token);

  // API key: created, exchanged, used at tenancy, and a wrong key tried.
  const created = expectStatus(
    await identity("POST", `/v1/organizations/${accountId}/api-keys`, {
      token,
      body: { name: "logs", scopes: ["organization.read"] },
    }),
    201,
  );
  const apiKey = keep("API key", created.key);
  const exchanged = expectStatus(
    await identity("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: apiKey } }),
    200,
  );
  keep("API key access token", exchanged.access_token);
  expectStatus(
    await tenancy("GET", `/v1/organizations/${accountId}`, { token: exchanged.access_token }),
    200,
  );
  expectStatus(
    await identity("POST", "/v1/tokens", {
      body: { grant_type: "api_key", api_key: `${apiKey.slice(0, -4)}abcd` },
    }),
    401,
  );

  // SCIM token: issued, used, and a request SCIM refuses.
  const scim = expectStatus(
    await identity("POST", `/v1/organizations/${accountId}/scim-tokens`, { token }),
    201,
  );
  const scimToken = keep("SCIM token", scim.token);
  expectStatus(await identity("GET", "/scim/v2/Users?count=5", { token: scimToken }), 200);
  expectStatus(
    await identity("GET", '/scim/v2/Users?filter=userName eq "unterminated', { token: scimToken }),
    400,
  );

  // Invitation: created, its link opened, accepted by signing up as the link says.
  const invitee = `${uniqueName("invitee")}@example.com`;
  expectStatus(
    await tenancy("POST", `/v1/organizations/${accountId}/invitations`, {
      token,
      body: { email: invitee, role: "member" },
    }),
    201,
  );
  const invitation = await followLink(p.tenancy.service.db, invitee, "invitation");
  keep("invitation secret", invitation.searchParams.get("token")?.split(".")[1]);
  const opened = await (await fetch(p.reach(invitation.href))).json();
  await waitFor(
    async () => {
      const res = await fetch(p.reach(opened.accept.url), {
        method: opened.accept.method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...opened.accept.body, password: PASSWORD }),
      });
      return res.status === 201 ? true : undefined;
    },
    { timeoutMs: 60_000, what: "identity to accept the invitation" },
  );
  const joined = expectStatus(
    await identity("POST", "/v1/sessions", { body: { email: invitee, password: PASSWORD } }),
    201,
  );
  keep("invitee access token", joined.access_token);
  keep("invitee refresh token", joined.refresh_token);
  expectStatus(await identity("DELETE", "/v1/sessions/current", { token: joined.access_token }), 204);
  expectStatus(await identity("GET", "/v1/me", { token: joined.access_token }), 401);

  const logs = p.logs();
  // The capture works and saw the links being opened (with their query values replaced).
  expect(logs.length).toBeGreaterThan(30);
  const urls = logs.map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url).filter(Boolean);
  expect(urls).toEqual(
    expect.arrayContaining([
      "/v1/email/verify?token=[REDACTED]",
      "/v1/password/reset?token=[REDACTED]",
      "/v1/invitations/open?account_id=[REDACTED]&token=[REDACTED]",
    ]),
  );
  const found = [...secrets]
    .map(([name, value]) => ({ name, lines: logs.filter((line) => line.includes(value)) }))
    .filter((hit) => hit.lines.length > 0);
  expect(found).toEqual([]);
});
