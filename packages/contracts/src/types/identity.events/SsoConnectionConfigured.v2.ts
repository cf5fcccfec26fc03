// Generated from identity.events-platform.identity.SsoConnectionConfigured v2 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

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
  /** SAML: the IdP's signing certificate (PEM, public) that assertions are verified against; null for OIDC and for connections from before this field. */
  idp_certificate_pem: null | string;
}
