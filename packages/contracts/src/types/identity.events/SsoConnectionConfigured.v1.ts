// Generated from identity.events-platform.identity.SsoConnectionConfigured v1 by `platform-contracts types`; do not edit.

/** Who caused the event and from where: the audit trail's who and from-where. */
export interface Actor {
  /** Kind of actor: "user", "api_key", "scim", "sso" (an identity provider), or "system" (jobs, projections). */
  type: string;
  /** Id of the user, API key, SCIM token or SSO connection; null for "system". */
  id: null | string;
  /** Client address the request came from; null when not caused by a request. */
  ip_address: null | string;
  /** Client user agent; null when not caused by a request. */
  user_agent: null | string;
}

/** An organization's SAML or OIDC connection was created or changed; carries its whole non-secret configuration. */
export interface SsoConnectionConfigured {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The connection's id. */
  connection_id: string;
  /** "saml" or "oidc". */
  protocol: string;
  /** Label of the connection. */
  name: string;
  /** SAML: the IdP's entity id (Issuer). */
  idp_entity_id: null | string;
  /** SAML: the IdP's single sign-on URL. */
  idp_sso_url: null | string;
  /** SAML: SHA-256 fingerprint of the pinned IdP signing certificate. */
  idp_certificate_sha256: null | string;
  /** OIDC: the provider's issuer URL. */
  issuer: null | string;
  /** OIDC: the client id (the secret is never published). */
  client_id: null | string;
  /** E-mail domains routed to this connection. */
  domains: Array<string>;
  /** Whether unknown people are created on first sign-in. */
  jit_provisioning: boolean;
  /** Role given to people provisioned just in time. */
  default_role: string;
  /** Whether the connection accepts sign-ins. */
  enabled: boolean;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
