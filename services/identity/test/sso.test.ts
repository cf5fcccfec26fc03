/**
 * SAML single sign-on through the service's HTTP API, against real Postgres and Kafka: an admin
 * configures a connection with the IdP's pinned certificate, a person signs in SP-initiated, is
 * provisioned just in time (user.provisioned, source saml), and replays or forged answers fail.
 */
import { IdentityEvent, TenancyEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { type Harness, startIdentity } from "./support/harness";
import { createSigningIdentity, NAMEID_EMAIL, TestIdentityProvider, toPostBinding } from "./support/saml-idp";

let h: Harness;
let idp: TestIdentityProvider;
beforeAll(async () => {
  [h, idp] = await Promise.all([
    startIdentity(),
    TestIdentityProvider.create("https://idp.acme.test/entity", "https://idp.acme.test/sso"),
  ]);
});
afterAll(() => h.close());

let counter = 0;
async function adminOf(accountId: string) {
  const email = `sso-admin${++counter}.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember(accountId, body.user_id, "admin");
  return (await h.call("POST", "/v1/sessions", { body: { email, password, account_id: accountId } })).body
    .access_token as string;
}

async function connect(accountId: string, overrides: Record<string, unknown> = {}) {
  const token = await adminOf(accountId);
  const res = await h.call("POST", `/v1/organizations/${accountId}/sso/saml-connections`, {
    token,
    body: {
      name: "Acme Okta",
      idp_entity_id: idp.entityId,
      idp_sso_url: idp.ssoUrl,
      idp_certificate: idp.certificatePem,
      domains: ["acme.test"],
      default_role: "member",
      ...overrides,
    },
  });
  expect(res.status).toBe(201);
  return res.body as { connection_id: string; sp_entity_id: string; acs_url: string };
}

/** Follows the login redirect as a browser would, and returns our request id the IdP must answer. */
async function startLogin(connectionId: string): Promise<string> {
  const res = await fetch(`${h.url}/v1/sso/saml/${connectionId}/login`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const location = new URL(String(res.headers.get("location")));
  expect(location.origin + location.pathname).toBe(idp.ssoUrl);
  expect(location.searchParams.get("SAMLRequest")).toBeTruthy();
  const relayState = location.searchParams.get("RelayState");
  if (!relayState) throw new Error("no RelayState");
  return relayState;
}

function answer(
  connection: { sp_entity_id: string; acs_url: string },
  requestId: string,
  email: string,
  overrides = {},
) {
  return toPostBinding(
    idp.signedResponse({
      issuedAt: new Date(),
      spEntityId: connection.sp_entity_id,
      acsUrl: connection.acs_url,
      nameId: email,
      nameIdFormat: NAMEID_EMAIL,
      inResponseTo: requestId,
      attributes: { email: [email], firstName: ["Grace"], lastName: ["Hopper"] },
      ...overrides,
    }),
  );
}

async function post(connectionId: string, SAMLResponse: string, RelayState: string) {
  const res = await fetch(`${h.url}/v1/sso/saml/${connectionId}/acs`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ SAMLResponse, RelayState }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it("signs a new person in with a signed assertion and provisions them just in time", async () => {
  const connection = await connect("org_saml");
  const requestId = await startLogin(connection.connection_id);
  const email = `grace.${Date.now()}@acme.test`;
  const res = await post(connection.connection_id, answer(connection, requestId, email), requestId);
  expect(res.status).toBe(201);
  expect(res.body.account_id).toBe("org_saml");
  const me = await h.call("GET", "/v1/me", { token: String(res.body.access_token) });
  expect(me.body).toMatchObject({ email, role: "member", account_id: "org_saml", given_name: "Grace" });
  const events = await h.service.db.$queryRawUnsafe<
    { event_type: string; payload: Record<string, unknown> }[]
  >(
    "SELECT event_type, payload FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    me.body.user_id,
  );
  expect(events.map((e) => e.event_type)).toEqual([
    IdentityEvent.UserProvisioned,
    IdentityEvent.UserSignedIn,
  ]);
  expect(events[0]?.payload).toMatchObject({
    source: "saml",
    created: true,
    connection_id: connection.connection_id,
  });
  expect(events[1]?.payload).toMatchObject({ method: "saml" });
});

it("refuses the same response twice, and a response to a request it never made", async () => {
  const connection = await connect("org_replay");
  const requestId = await startLogin(connection.connection_id);
  const response = answer(connection, requestId, `once.${Date.now()}@acme.test`);
  expect((await post(connection.connection_id, response, requestId)).status).toBe(201);
  const replay = await post(connection.connection_id, response, requestId);
  expect([replay.status, replay.body.code]).toEqual([401, "saml_unsolicited"]);
  const unsolicited = await post(
    connection.connection_id,
    answer(connection, "_never_sent", `x.${Date.now()}@acme.test`),
    "_never_sent",
  );
  expect([unsolicited.status, unsolicited.body.code]).toEqual([401, "saml_unsolicited"]);
});

it("refuses an assertion signed by another key, and provisions nobody", async () => {
  const connection = await connect("org_forged");
  const attacker = await TestIdentityProvider.create(idp.entityId, idp.ssoUrl);
  const requestId = await startLogin(connection.connection_id);
  const email = `mallory.${Date.now()}@acme.test`;
  const forged = toPostBinding(
    attacker.signedResponse({
      issuedAt: new Date(),
      spEntityId: connection.sp_entity_id,
      acsUrl: connection.acs_url,
      nameId: email,
      nameIdFormat: NAMEID_EMAIL,
      inResponseTo: requestId,
    }),
  );
  const res = await post(connection.connection_id, forged, requestId);
  expect([res.status, res.body.code]).toEqual([401, "saml_signature_invalid"]);
  expect(await h.service.db.user.count({ where: { email } })).toBe(0);
});

it("refuses an answer meant for another organization's connection", async () => {
  const mine = await connect("org_mine");
  const theirs = await connect("org_theirs");
  const requestId = await startLogin(mine.connection_id);
  const res = await post(
    theirs.connection_id,
    answer(mine, requestId, `cross.${Date.now()}@acme.test`),
    requestId,
  );
  expect(res.status).toBe(401);
});

it("does not let an organization's IdP claim a person whose address is outside its domains", async () => {
  const victimEmail = `victim.${Date.now()}@elsewhere.test`;
  await h.call("POST", "/v1/users", {
    body: { email: victimEmail, password: "correct horse battery staple" },
  });
  const connection = await connect("org_evil");
  const requestId = await startLogin(connection.connection_id);
  const res = await post(connection.connection_id, answer(connection, requestId, victimEmail), requestId);
  expect([res.status, res.body.code]).toEqual([409, "user_exists_outside_domain"]);
});

it("links an existing person only at the organization's verified domains, not at domains the admin listed", async () => {
  const stamp = Date.now();
  const domain = `listed-${stamp}.test`;
  const accountId = `org_listed_${stamp}`;
  const email = `existing.${stamp}@${domain}`;
  const { body: person } = await h.call("POST", "/v1/users", {
    body: { email, password: "correct horse battery staple" },
  });
  const connection = await connect(accountId, { domains: [domain] });
  const listedOnly = await startLogin(connection.connection_id);
  const refused = await post(connection.connection_id, answer(connection, listedOnly, email), listedOnly);
  expect([refused.status, refused.body.code]).toEqual([409, "user_exists_outside_domain"]);

  await h.publishTenancyEvent(TenancyEvent.DomainVerified, `dom_${stamp}`, 1, {
    account_id: accountId,
    domain_id: `dom_${stamp}`,
    domain,
    auto_join: false,
    occurred_at: Date.now(),
    actor: { type: "user", id: null, ip_address: null, user_agent: null },
  });
  await waitFor(
    async () => ((await h.service.db.verifiedDomain.findUnique({ where: { domain } })) ? true : undefined),
    { what: `${domain} to be verified` },
  );
  const verified = await startLogin(connection.connection_id);
  const linked = await post(connection.connection_id, answer(connection, verified, email), verified);
  expect([linked.status, linked.body.account_id]).toEqual([201, accountId]);
  const me = await h.call("GET", "/v1/me", { token: String(linked.body.access_token) });
  expect(me.body.user_id).toBe(person.user_id);
});

it("keeps a single sign-on session in its organization", async () => {
  const connection = await connect("org_pinned");
  const requestId = await startLogin(connection.connection_id);
  const email = `pinned.${Date.now()}@acme.test`;
  const signedIn = await post(connection.connection_id, answer(connection, requestId, email), requestId);
  const me = await h.call("GET", "/v1/me", { token: String(signedIn.body.access_token) });
  await h.addMember("org_other", me.body.user_id, "admin");
  const switched = await h.call("POST", "/v1/sessions/current/account", {
    token: String(signedIn.body.access_token),
    body: { account_id: "org_other" },
  });
  expect([switched.status, switched.body.code]).toEqual([403, "sso_session_pinned"]);
});

it.each([
  [
    "a certificate that is not one",
    { idp_certificate: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" },
    "certificate_invalid",
  ],
  ["a plain-http SSO URL", { idp_sso_url: "http://idp.acme.test/sso" }, "field_invalid"],
  ["no entity id", { idp_entity_id: "" }, "field_invalid"],
])("refuses a connection with %s", async (_case, overrides, code) => {
  const token = await adminOf("org_bad_conn");
  const res = await h.call("POST", "/v1/organizations/org_bad_conn/sso/saml-connections", {
    token,
    body: {
      name: "x",
      idp_entity_id: "e",
      idp_sso_url: "https://idp.test/sso",
      idp_certificate: (await createSigningIdentity("c")).certificatePem,
      ...overrides,
    },
  });
  expect([res.status, res.body.code]).toEqual([400, code]);
  expect(await h.service.db.ssoConnection.count({ where: { accountId: "org_bad_conn" } })).toBe(0);
});
