// Generated from tenancy.events-platform.tenancy.DomainAutoJoinChanged v1 by `platform-contracts types`; do not edit.

import type { Actor } from "../shared";

export type { Actor };

/** An administrator turned auto-join on or off for a verified domain. */
export interface DomainAutoJoinChanged {
  /** Tenant: the organization (account) the event belongs to. */
  account_id: string;
  /** The domain's id. */
  domain_id: string;
  /** The domain name, lower-cased, e.g. "example.com". */
  domain: string;
  /** Whether people with a verified e-mail address at this domain may now join the organization without an invitation. */
  auto_join: boolean;
  /** When the event happened (UTC, ms since epoch). */
  occurred_at: number;
  /** Who caused the event. */
  actor: Actor;
}
