/** The credential rules, pure: when a revocation appends and after which version; SSO settings from an event. */
import { decideRevocation, ssoSettingsOf } from "../../src/domain/credentials";

it.each([
  [
    "an active credential is revoked after the version read",
    { revokedAt: null, version: 3 },
    { expectedVersion: 3 },
  ],
  ["a revoked credential is left alone", { revokedAt: new Date(0), version: 4 }, null],
])("%s", (_, state, decided) => {
  expect(decideRevocation(state)).toEqual(decided);
});

const connection = {
  idp_entity_id: "https://idp.test/entity",
  idp_sso_url: "https://idp.test/sso",
  idp_certificate_pem: "-----BEGIN CERTIFICATE-----",
  issuer: "https://issuer.test",
  client_id: "client",
  domains: ["acme.test"],
};

it("keeps a SAML connection's IdP settings and an OIDC connection's issuer and client, never the other's", () => {
  expect(ssoSettingsOf({ ...connection, protocol: "saml" })).toEqual({
    idpEntityId: "https://idp.test/entity",
    idpSsoUrl: "https://idp.test/sso",
    idpCertificatePem: "-----BEGIN CERTIFICATE-----",
    domains: ["acme.test"],
  });
  expect(ssoSettingsOf({ ...connection, protocol: "oidc" })).toEqual({
    issuer: "https://issuer.test",
    clientId: "client",
    domains: ["acme.test"],
  });
  // An event from before v2 carries no certificate: the row says so instead of inventing one.
  const { idp_certificate_pem: _, ...v1 } = connection;
  expect(ssoSettingsOf({ ...v1, protocol: "saml" }).idpCertificatePem).toBeNull();
});
