// Generated from tenancy.events-platform.tenancy.DomainVerified v1 by `platform-contracts types`; do not edit.

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

/** The DNS TXT record proved the organization owns the domain. */
export interface DomainVerified {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The domain's id. */
  domain_id: string;
  /** The domain name, lower-cased, e.g. "example.com". */
  domain: string;
  /** Whether people with a verified e-mail address at this domain may join the organization without an invitation. */
  auto_join: boolean;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
