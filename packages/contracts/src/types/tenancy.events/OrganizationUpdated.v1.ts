// Generated from tenancy.events-platform.tenancy.OrganizationUpdated v1 by `platform-contracts types`; do not edit.

/** A postal address. */
export interface PostalAddress {
  /** Street and number. */
  street_address: null | string;
  /** City. */
  locality: null | string;
  /** State, province or region. */
  region: null | string;
  /** Postal code. */
  postal_code: null | string;
  /** ISO 3166-1 alpha-2 country code. */
  country: null | string;
}

/** Display and locale settings. */
export interface OrganizationSettings {
  /** IANA time zone, e.g. "Europe/Berlin". */
  timezone: string;
  /** Date format, e.g. "YYYY-MM-DD". */
  date_format: string;
  /** ISO 4217 currency code. */
  currency: string;
  /** BCP 47 language tag. */
  language: string;
}

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

/** An organization's profile or settings changed; carries the whole profile after the change. */
export interface OrganizationUpdated {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** Organization name. */
  name: string;
  /** Free-text description. */
  description: null | string;
  /** Web site. */
  url: null | string;
  /** Contact address of the organization (not a person's). */
  email: null | string;
  /** Contact telephone. */
  telephone: null | string;
  /** Headcount the organization declared. */
  number_of_employees: null | number;
  /** When the organization was founded. */
  founding_date: null | number;
  /** Industry, e.g. "software", "healthcare". */
  industry: null | string;
  /** Postal address. */
  address: null | PostalAddress;
  /** Display and locale settings. */
  settings: OrganizationSettings;
  /** Names of the fields that changed. */
  changed_fields: Array<string>;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
