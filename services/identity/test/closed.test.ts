/**
 * A closed organization at identity (docs/identity.md, Closed organizations): identity learns of the
 * closing only from tenancy's OrganizationClosed, then every write route of its own route table that
 * reaches the organization answers 409 organization_closed (SCIM in SCIM's error format) and changes
 * nothing: its API keys and SCIM token stop working, nobody switches, signs in, accepts an invitation
 * or comes in through SSO there. Reading and leaving still work.
 */

import { createHash, randomBytes } from "node:crypto";
import { TenancyEvent } from "@platform/contracts";
import { routeTableOf } from "@platform/http";
import { waitFor } from "@platform/testkit";
import { type Harness, startIdentity } from "./support/harness";
import { NAMEID_EMAIL, TestIdentityProvider, toPostBinding } from "./support/saml-idp";

let h: Harness;
let idp: TestIdentityProvider;
beforeAll(async () => {
  [h, idp] = await Promise.all([
    startIdentity(),
    TestIdentityProvider.create("https://idp.closing.test/entity", "https://idp.closing.test/sso"),
  ]);
});
afterAll(() => h.close());

const password = "correct horse battery staple";
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const system = { type: "system", id: null, ip_address: null, user_agent: null };
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Write routes that act on no organization, and why closing one does not concern them. */
const NOT_ABOUT_AN_ORGANIZATION: Record<string, string> = {
  "POST /v1/email/verify": "proves a person's address",
  "POST /v1/password/forgot": "a person's password",
  "POST /v1/password/reset": "a person's password (it ends their sessions, which takes nothing)",
  "POST /v1/sessions/refresh": "keeps a session where it is; in a closed organization it only reads",
  "DELETE /v1/sessions/current": "ending a session takes nothing from an organization",
};

async function signUp(email: string) {
  const res = await h.call("POST", "/v1/users", { body: { email, password } });
  if (res.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(res.body)}`);
  return res.body.user_id as string;
}

async function signIn(email: string, accountId?: string) {
  return h.call("POST", "/v1/sessions", { body: { email, password, account_id: accountId } });
}

/** tenancy's InvitationSent (v2), and the link its e-mail carries. */
async function invite(accountId: string, email: string) {
  const invitationId = `inv_${randomBytes(8).toString("hex")}`;
  const secret = randomBytes(32).toString("base64url");
  await h.publishTenancyEvent(TenancyEvent.InvitationSent, invitationId, 1, {
    account_id: accountId,
    invitation_id: invitationId,
    invitee_email_hash: sha256(email.toLowerCase()),
    invitee_role: "member",
    group_id: null,
    expires_at: Date.now() + 86_400_000,
    occurred_at: Date.now(),
    actor: system,
    token_sha256: sha256(secret),
  });
  await waitFor(() =>
    h.service.db.invitation.findUnique({ where: { id: invitationId } }).then((r) => r ?? undefined),
  );
  return `${invitationId}.${secret}`;
}

/** Everything identity keeps about the organization that a write could change. */
async function snapshot(accountId: string) {
  const db = h.service.db;
  const connections = await db.ssoConnection.findMany({ where: { accountId }, orderBy: { id: "asc" } });
  return {
    events: (
      await db.$queryRawUnsafe<{ event_type: string }[]>(
        "SELECT event_type FROM platform_events WHERE tenant_id = $1 ORDER BY position",
        accountId,
      )
    ).map((e) => e.event_type),
    access: await db.accountAccess.findMany({ where: { accountId }, orderBy: { userId: "asc" } }),
    apiKeys: await db.apiKey.findMany({ where: { accountId }, orderBy: { id: "asc" } }),
    scimTokens: await db.scimToken.findMany({ where: { accountId }, orderBy: { id: "asc" } }),
    connections,
    ssoRequests: await db.ssoRequest.count({ where: { connectionId: { in: connections.map((c) => c.id) } } }),
    roles: await db.roleDefinition.findMany({ where: { accountId } }),
    directoryGroups: await db.directoryGroup.findMany({ where: { accountId } }),
    invitations: await db.invitation.findMany({ where: { accountId }, orderBy: { id: "asc" } }),
    users: await db.user.count(),
    sessionsInIt: await db.session.count({ where: { accountId } }),
  };
}

/** An organization with a key, a SCIM token, an SSO connection and invitations out, then closed by tenancy. */
async function closedOrganization() {
  const tag = randomBytes(4).toString("hex");
  const closed = `org_closed_${tag}`;
  const open = `org_open_${tag}`;
  const ownerEmail = `owner.${tag}@example.com`;
  const ownerId = await signUp(ownerEmail);
  await h.addMember(closed, ownerId, "owner");
  await h.addMember(open, ownerId, "owner");
  const ownerToken = (await signIn(ownerEmail, closed)).body.access_token as string;
  const elsewhereToken = (await signIn(ownerEmail, open)).body.access_token as string;
  const api = (method: string, path: string, body?: unknown) =>
    h.call(method, `/v1/organizations/${closed}${path}`, { token: ownerToken, body });

  const key = await api("POST", "/api-keys", { name: "ci", scopes: ["organization.read"] });
  const scim = await api("POST", "/scim-tokens");
  const saml = await api("POST", "/sso/saml-connections", {
    name: "Closing IdP",
    idp_entity_id: idp.entityId,
    idp_sso_url: idp.ssoUrl,
    idp_certificate: idp.certificatePem,
    domains: ["closing.test"],
    default_role: "member",
  });
  if (key.status !== 201 || scim.status !== 201 || saml.status !== 201)
    throw new Error(`setup failed: ${JSON.stringify([key.body, scim.body, saml.body])}`);
  const newcomerEmail = `newcomer.${tag}@example.com`;
  const newcomerInvitation = await invite(closed, newcomerEmail);
  const joinerEmail = `joiner.${tag}@example.com`;
  await signUp(joinerEmail);
  const joinerInvitation = await invite(closed, joinerEmail);

  await h.publishTenancyEvent(TenancyEvent.OrganizationClosed, closed, 1, {
    account_id: closed,
    previous_status: "active",
    status: "closed",
    reason: "moving on",
    occurred_at: Date.now(),
    actor: { ...system, type: "user", id: ownerId },
  });
  await waitFor(
    () => h.service.db.closedAccount.findUnique({ where: { accountId: closed } }).then((r) => r ?? undefined),
    { what: "identity to learn of the closing" },
  );
  return {
    closed,
    open,
    ownerEmail,
    ownerToken,
    elsewhereToken,
    apiKey: key.body.key as string,
    params: {
      accountId: closed,
      apiKeyId: key.body.id as string,
      tokenId: scim.body.id as string,
      connectionId: saml.body.connection_id as string,
      role: "auditor",
      id: "any",
    } as Record<string, string>,
    scimToken: scim.body.token as string,
    saml: saml.body as { connection_id: string; sp_entity_id: string; acs_url: string },
    newcomerEmail,
    newcomerInvitation,
    joinerEmail,
    joinerInvitation,
  };
}

describe("a closed organization at identity", () => {
  let org: Awaited<ReturnType<typeof closedOrganization>>;
  beforeAll(async () => {
    org = await closedOrganization();
  });

  /** The routes that reach an organization without it in the path, and how each is tried on this one. */
  function byCredential(): Record<string, () => Promise<{ status: number; body: unknown }>> {
    return {
      "POST /v1/sessions": () => signIn(org.ownerEmail, org.closed),
      "POST /v1/users": () =>
        h.call("POST", "/v1/users", {
          body: { email: org.newcomerEmail, password, invitation_token: org.newcomerInvitation },
        }),
      "POST /v1/sessions/current/account": () =>
        h.call("POST", "/v1/sessions/current/account", {
          token: org.elsewhereToken,
          body: { account_id: org.closed },
        }),
      "POST /v1/tokens": () =>
        h.call("POST", "/v1/tokens", { body: { grant_type: "api_key", api_key: org.apiKey } }),
      "POST /v1/sso/saml/:connectionId/acs": async () => {
        const email = `grace.${Date.now()}@closing.test`;
        const SAMLResponse = toPostBinding(
          idp.signedResponse({
            issuedAt: new Date(),
            spEntityId: org.saml.sp_entity_id,
            acsUrl: org.saml.acs_url,
            nameId: email,
            nameIdFormat: NAMEID_EMAIL,
            inResponseTo: "_unsolicited",
            attributes: { email: [email] },
          }),
        );
        const res = await fetch(`${h.url}/v1/sso/saml/${org.saml.connection_id}/acs`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ SAMLResponse, RelayState: "_unsolicited" }).toString(),
        });
        return { status: res.status, body: await res.json() };
      },
    };
  }

  it("answers every write route of the route table with 409 organization_closed, changing nothing", async () => {
    const writes = routeTableOf(h.app).filter((route) => WRITES.has(route.method));
    expect(writes.length).toBeGreaterThan(20);
    const before = await snapshot(org.closed);
    const tried = byCredential();

    const answers: Record<string, { status: number; code: unknown }> = {};
    const unclassified: string[] = [];
    for (const { method, path } of writes) {
      const route = `${method} ${path}`;
      if (route in NOT_ABOUT_AN_ORGANIZATION) continue;
      const url = path.replace(/:(\w+)/g, (_, name: string) => {
        const value = org.params[name];
        if (!value) throw new Error(`no value for :${name} in ${route}; add one to closedOrganization()`);
        return value;
      });
      if (path.startsWith("/scim/v2/")) {
        const res = await h.call(method, url, {
          headers: { authorization: `Bearer ${org.scimToken}` },
          body: {},
        });
        // SCIM clients read SCIM's error body (RFC 7644 §3.12), not problem+json.
        expect(res.body).toMatchObject({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
          status: "409",
        });
        answers[route] = { status: res.status, code: "organization_closed" };
      } else if (path.includes(":accountId")) {
        const res = await h.call(method, url, { token: org.ownerToken, body: {} });
        answers[route] = { status: res.status, code: res.body?.code };
      } else if (tried[route]) {
        const res = await tried[route]();
        answers[route] = { status: res.status, code: (res.body as { code?: unknown })?.code };
      } else unclassified.push(route);
    }

    // A new write route must be tried here, or say in NOT_ABOUT_AN_ORGANIZATION why it is not.
    expect(unclassified).toEqual([]);
    for (const [route, answer] of Object.entries(answers))
      expect({ route, ...answer }).toEqual({ route, status: 409, code: "organization_closed" });
    expect(await snapshot(org.closed)).toEqual(before);
  });

  it("refuses SCIM reads too: the directory's token stops working", async () => {
    const res = await h.call("GET", "/scim/v2/Users", {
      headers: { authorization: `Bearer ${org.scimToken}` },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: "409" });
  });

  it("does not start an SSO sign-in into it", async () => {
    const res = await fetch(`${h.url}/v1/sso/saml/${org.saml.connection_id}/login`, { redirect: "manual" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "organization_closed" });
  });

  it("refuses to accept an invitation to it at sign-in, and grants nothing", async () => {
    const res = await h.call("POST", "/v1/sessions", {
      body: { email: org.joinerEmail, password, invitation_token: org.joinerInvitation },
    });
    expect([res.status, res.body.code]).toEqual([409, "organization_closed"]);
    const joiner = await h.service.db.user.findUniqueOrThrow({ where: { email: org.joinerEmail } });
    expect(
      await h.service.db.accountAccess.findUnique({
        where: { userId_accountId: { userId: joiner.id, accountId: org.closed } },
      }),
    ).toBeNull();
  });

  it("signs a person in without an account into their oldest organization that is not closed", async () => {
    const res = await signIn(org.ownerEmail);
    expect([res.status, res.body.account_id]).toEqual([201, org.open]);
  });

  it("still lets a session in it read, and sign out", async () => {
    const me = await h.call("GET", "/v1/me", { token: org.ownerToken });
    expect([me.status, me.body.account_id]).toEqual([200, org.closed]);
    const keys = await h.call("GET", `/v1/organizations/${org.closed}/api-keys`, { token: org.ownerToken });
    expect(keys.status).toBe(200);
    const out = await h.call("DELETE", "/v1/sessions/current", { token: org.ownerToken });
    expect(out.status).toBe(204);
  });
});
