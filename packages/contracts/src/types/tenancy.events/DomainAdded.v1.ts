// Generated from tenancy.events-platform.tenancy.DomainAdded v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** A domain was claimed and awaits DNS TXT proof. */
export interface DomainAdded {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The domain's id. */
  domain_id: string;
  /** The domain name, lower-cased, e.g. "example.com". */
  domain: string;
  /** Whether people with a verified e-mail address at this domain may join the organization without an invitation. */
  auto_join: boolean;
  /** DNS name where the TXT record must be published. */
  txt_record_name: string;
  /** Value the TXT record must hold (public, not a secret). */
  txt_record_value: string;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
