/**
 * identity as `platform up` / `platform test` runs it, over its public HTTP API, with tenancy running
 * beside it: an end-to-end SCIM sequence and a SAML sign-in with a signed test assertion.
 */
import { uniqueName, waitFor } from "@platform/testkit";
import {
  NAMEID_EMAIL,
  TestIdentityProvider,
  toPostBinding,
} from "../../services/identity/test/support/saml-idp";
import {
  call as callService,
  ensureRunning,
  identityUrl,
  organizationOf,
  scimClient,
  signUp,
} from "./support/platform";

const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}) =>
  callService(identityUrl, method, path, options);

let accountId: string;
let adminToken: string;

beforeAll(async () => {
  await ensureRunning("identity", "tenancy");
  const owner = await signUp(`${uniqueName("owner")}@example.com`);
  ({ accountId, token: adminToken } = await organizationOf(owner, "E2E Identity"));
});

describe("SCIM 2.0 end to end", () => {
  it('creates, filters by userName, deactivates with PATCH active "False", lists and deletes', async () => {
    const { body: issued } = await call("POST", `/v1/organizations/${accountId}/scim-tokens`, {
      token: adminToken,
    });
    const scim = scimClient(identityUrl, issued.token);
    const userName = `${uniqueName("jdoe")}@example.com`;
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
    const email = `${uniqueName("saml")}@e2e.test`;
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
