/**
 * identity as `platform up` / `platform test` runs it (IDENTITY_URL), over its public HTTP API and
 * the real topics: an end-to-end SCIM sequence and a SAML sign-in with a signed test assertion.
 * tenancy does not exist yet, so the test plays tenancy's part on tenancy.events (an admin member).
 */
import { randomUUID } from "node:crypto";
import { latestSchemasOf, loadContracts, SCHEMAS_ROOT } from "@platform/contracts";
import { AvroSerde, createKafka, createProducer, Headers, subjectFor } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { infrastructure, uniqueName, waitFor } from "@platform/testkit";
import {
  NAMEID_EMAIL,
  TestIdentityProvider,
  toPostBinding,
} from "../../services/identity/test/support/saml-idp";

const identityUrl = process.env.IDENTITY_URL ?? "http://localhost:3001";
const infra = infrastructure();
const accountId = uniqueName("org_e2e");
const password = "correct horse battery staple";

async function call(method: string, path: string, options: { body?: unknown; token?: string } = {}) {
  const res = await fetch(identityUrl + path, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** tenancy's MemberAdded on the real tenancy.events topic, encoded with the registered schema. */
async function announceMember(userId: string, role: string) {
  const type = "platform.tenancy.MemberAdded";
  const schema = latestSchemasOf(loadContracts(SCHEMAS_ROOT), "tenancy.events")[type];
  if (!schema) throw new Error(`${type} is not declared`);
  const kafka = createKafka({
    brokers: infra.kafkaBrokers,
    clientId: "e2e",
    logger: createLogger({ name: "e2e", level: "error" }),
  });
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const value = await AvroSerde.connect(infra.schemaRegistryUrl).encode(
      subjectFor("tenancy.events", type),
      schema,
      {
        account_id: accountId,
        user_id: userId,
        group_id: accountId,
        group_type: "account",
        role,
        source: "owner",
        occurred_at: Date.now(),
        actor: { type: "system", id: null, ip_address: null, user_agent: null },
      },
    );
    await producer.send({
      topic: "tenancy.events",
      messages: [
        {
          key: `${accountId}:${userId}`,
          value,
          headers: {
            [Headers.eventId]: randomUUID(),
            [Headers.eventType]: type,
            [Headers.aggregateId]: `${accountId}:${userId}`,
            [Headers.aggregateVersion]: "1",
            [Headers.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}

let adminToken: string;

beforeAll(async () => {
  const ready = await fetch(`${identityUrl}/readyz`).catch((error: unknown) => {
    throw new Error(
      `identity is not running at ${identityUrl} (start it with \`bash infra/bin/platform up\`): ${String(error)}`,
    );
  });
  expect(ready.status).toBe(200);
  const email = `${accountId}.admin@example.com`;
  const signUp = await call("POST", "/v1/users", { body: { email, password } });
  expect(signUp.status).toBe(201);
  await announceMember(signUp.body.user_id, "admin");
  adminToken = await waitFor(
    async () => {
      const session = await call("POST", "/v1/sessions", {
        body: { email, password, account_id: accountId },
      });
      return session.body?.account_id === accountId ? (session.body.access_token as string) : undefined;
    },
    { timeoutMs: 60_000, what: "identity to project the admin's membership from tenancy.events" },
  );
});

describe("SCIM 2.0 end to end", () => {
  it('creates, filters by userName, deactivates with PATCH active "False", lists and deletes', async () => {
    const { body: issued } = await call("POST", `/v1/organizations/${accountId}/scim-tokens`, {
      token: adminToken,
    });
    const scim = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${identityUrl}/scim/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${issued.token}`,
          ...(body ? { "content-type": "application/scim+json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const userName = `${accountId}.jdoe@example.com`;
    const created = await scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName,
      name: { givenName: "Jane", familyName: "Doe" },
      emails: [{ value: userName, primary: true }],
      active: true,
    });
    expect(created.status).toBe(201);
    const filtered = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(filtered.body.totalResults).toBe(1);
    const patched = await scim("PATCH", `/Users/${created.body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(patched.body.active).toBe(false);
    const listed = await scim("GET", "/Users");
    expect(listed.body.Resources.find((u: { id: string }) => u.id === created.body.id)?.active).toBe(false);
    expect((await scim("DELETE", `/Users/${created.body.id}`)).status).toBe(204);
    expect((await scim("GET", `/Users/${created.body.id}`)).status).toBe(404);
    const audit = await waitFor(
      async () => {
        const res = await call("GET", `/v1/organizations/${accountId}/audit-log`, { token: adminToken });
        const actions = (res.body.data as { action: string }[]).map((e) => e.action);
        return actions.includes("UserRemoved") ? actions : undefined;
      },
      { what: "the SCIM actions in the audit log" },
    );
    expect(audit).toEqual(
      expect.arrayContaining(["ScimTokenIssued", "UserProvisioned", "UserDeactivated", "UserRemoved"]),
    );
  });
});

describe("SAML sign-in end to end", () => {
  it("signs in with a signed test assertion and provisions the person just in time", async () => {
    const idp = await TestIdentityProvider.create("https://idp.e2e.test/entity", "https://idp.e2e.test/sso");
    const connection = await call("POST", `/v1/organizations/${accountId}/sso/saml-connections`, {
      token: adminToken,
      body: {
        name: "E2E IdP",
        idp_entity_id: idp.entityId,
        idp_sso_url: idp.ssoUrl,
        idp_certificate: idp.certificatePem,
        domains: ["e2e.test"],
      },
    });
    expect(connection.status).toBe(201);
    const login = await fetch(connection.body.login_url.replace(/^https?:\/\/[^/]+/, identityUrl), {
      redirect: "manual",
    });
    const relayState = new URL(String(login.headers.get("location"))).searchParams.get("RelayState") ?? "";
    const email = `${accountId}.saml@e2e.test`;
    const samlResponse = toPostBinding(
      idp.signedResponse({
        issuedAt: new Date(),
        spEntityId: connection.body.sp_entity_id,
        acsUrl: connection.body.acs_url,
        nameId: email,
        nameIdFormat: NAMEID_EMAIL,
        inResponseTo: relayState,
      }),
    );
    const acs = await fetch(`${identityUrl}/v1/sso/saml/${connection.body.connection_id}/acs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }).toString(),
    });
    const session = (await acs.json()) as { access_token: string; account_id: string };
    expect([acs.status, session.account_id]).toEqual([201, accountId]);
    const me = await call("GET", "/v1/me", { token: session.access_token });
    expect(me.body).toMatchObject({ email, account_id: accountId, role: "member" });
  });
});
