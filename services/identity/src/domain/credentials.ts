/**
 * What a revocable credential (an API key, a SCIM token) is now: its inline-projected row. The rows
 * are written only by the projection of the credential's events (src/projections/inline.ts).
 */
export interface CredentialState {
  revokedAt: Date | null;
  version: number;
}

/**
 * Decides a revocation: the version its event must be appended after, or null when the credential
 * is already revoked (revoking twice is a no-op, so a repeated DELETE and a cascade that reaches a
 * credential twice change nothing). Two revocations that decided on the same version race in the
 * store, where one commits and the other gets `concurrency_conflict`.
 */
export function decideRevocation(state: CredentialState): { expectedVersion: number } | null {
  return state.revokedAt ? null : { expectedVersion: state.version };
}

/** The non-secret settings of an SSO connection, as its row keeps them (and the sign-in reads them). */
export function ssoSettingsOf(event: {
  protocol: string;
  idp_entity_id: string | null;
  idp_sso_url: string | null;
  idp_certificate_pem?: string | null;
  issuer: string | null;
  client_id: string | null;
  domains: string[];
}): Record<string, unknown> {
  return event.protocol === "oidc"
    ? { issuer: event.issuer, clientId: event.client_id, domains: event.domains }
    : {
        idpEntityId: event.idp_entity_id,
        idpSsoUrl: event.idp_sso_url,
        idpCertificatePem: event.idp_certificate_pem ?? null,
        domains: event.domains,
      };
}
