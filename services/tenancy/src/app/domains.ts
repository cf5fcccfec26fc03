import { randomBytes } from "node:crypto";
import { inTenant, isUniqueViolation, lookupAcrossTenants } from "@platform/database";
import { ConflictError, InvalidInputError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import {
  type DomainEvent,
  decide,
  domainTaken,
  isDomainName,
  TXT_VALUE_PREFIX,
  txtRecordName,
  unclaimableReason,
} from "../domain/domains";
import type { Actor } from "../domain/events";
import type { Domain } from "../generated/prisma/client";
import { type TxtResolver, txtRecordsAt } from "./dns";
import { CROSS_TENANT, type Db, lockOrganization, record, type Tx } from "./tenant";

const addBody = z.object({
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isDomainName, "a domain name such as example.com (letters, digits, -; no trailing dot)"),
  auto_join: z.boolean().optional(),
});
export const autoJoinBody = z.object({ auto_join: z.boolean() });

export function domainJson(d: Domain) {
  return {
    domain_id: d.id,
    domain: d.domain,
    txt_record_name: txtRecordName(d.domain),
    txt_record_value: d.txtValue,
    auto_join: d.autoJoin,
    verified_at: d.verifiedAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
  };
}

/** Whichever organization has verified the domain: the one read verified_domains opens across tenants. */
export function claimOf(tx: Tx, domain: string) {
  return lookupAcrossTenants(tx, CROSS_TENANT.verifiedDomains, domain, () =>
    tx.verifiedDomain.findUnique({ where: { domain } }),
  );
}

/**
 * E-mail domains an organization proves it owns with a DNS TXT record: added, verified, auto-join
 * turned on or off, removed. A command reads the domain (no lock), decides (src/domain/domains.ts)
 * and appends at its version; the inline handlers write `domains` and the platform-wide claim in
 * `verified_domains` (read across tenants by domain, so a person's address finds the organization).
 */
export class DomainService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly dns: TxtResolver,
  ) {}

  async list(accountId: string): Promise<Domain[]> {
    return inTenant(this.db, accountId, (tx) =>
      tx.domain.findMany({ where: { accountId }, orderBy: { createdAt: "asc" } }),
    );
  }

  async add(accountId: string, body: unknown, actor: Actor): Promise<Domain> {
    const input = parseBody(addBody, body);
    const reason = unclaimableReason(input.domain);
    if (reason)
      throw new InvalidInputError("domain_not_claimable", reason, {
        details: { field: "domain", domain: input.domain },
      });
    return inTenant(this.db, accountId, async (tx) => {
      // One name once per organization is a rule over all its domains (each a new aggregate, so no
      // version guards it): adds of one organization take turns, and the second sees domain_exists.
      await this.lockOpenOrganization(tx, accountId);
      const existing = await tx.domain.findUnique({
        where: { accountId_domain: { accountId, domain: input.domain } },
      });
      const id = `dom_${randomBytes(10).toString("hex")}`;
      const events = decide(existing, {
        kind: "add",
        id,
        accountId,
        domain: input.domain,
        txtValue: `${TXT_VALUE_PREFIX}${randomBytes(16).toString("hex")}`,
        autoJoin: input.auto_join ?? false,
        claimedBy: (await claimOf(tx, input.domain))?.accountId ?? null,
      });
      await this.append(tx, accountId, id, 0, events, actor);
      return this.require(tx, accountId, id);
    });
  }

  /**
   * Looks the TXT record up and, when it holds the value, claims the domain platform-wide. The lookup
   * runs between two transactions: no database connection waits on DNS.
   */
  async verify(accountId: string, domainId: string, actor: Actor): Promise<Domain> {
    const pending = await inTenant(this.db, accountId, async (tx) => {
      const domain = await this.require(tx, accountId, domainId);
      // Taken already: no TXT record could change the answer, so say so before asking DNS.
      const claim = domain.verifiedAt ? null : await claimOf(tx, domain.domain);
      if (claim && claim.accountId !== accountId) throw domainTaken(domain.domain);
      return domain;
    });
    if (pending.verifiedAt) return pending;
    const txtRecords = await txtRecordsAt(this.dns, txtRecordName(pending.domain));
    return inTenant(this.db, accountId, async (tx) => {
      // Read again: removed or verified by a concurrent request while DNS answered.
      const domain = await this.require(tx, accountId, domainId);
      const claimedBy = (await claimOf(tx, domain.domain))?.accountId ?? null;
      const events = decide(domain, { kind: "verify", txtRecords, claimedBy });
      try {
        return await this.applied(tx, domain, events, actor);
      } catch (error) {
        // Another organization's claim committed after the read: the name's unique index refuses ours.
        if (isUniqueViolation(error)) throw domainTaken(domain.domain);
        throw error;
      }
    });
  }

  async setAutoJoin(accountId: string, domainId: string, autoJoin: boolean, actor: Actor): Promise<Domain> {
    return inTenant(this.db, accountId, async (tx) => {
      const domain = await this.require(tx, accountId, domainId);
      return this.applied(tx, domain, decide(domain, { kind: "setAutoJoin", autoJoin }), actor);
    });
  }

  async remove(accountId: string, domainId: string, actor: Actor): Promise<void> {
    await inTenant(this.db, accountId, async (tx) => {
      const domain = await this.require(tx, accountId, domainId);
      await this.append(tx, accountId, domain.id, domain.version, decide(domain, { kind: "remove" }), actor);
    });
  }

  private async require(tx: Tx, accountId: string, domainId: string): Promise<Domain> {
    const domain = await tx.domain.findFirst({ where: { id: domainId, accountId } });
    if (!domain) throw new NotFoundError("domain_not_found", `domain ${domainId} does not exist`);
    return domain;
  }

  /** Also refuses closed organizations: their domains must not be claimed any more. */
  private async lockOpenOrganization(tx: Tx, accountId: string): Promise<void> {
    const status = await lockOrganization(tx, accountId);
    if (status === null)
      throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
    if (status === "closed")
      throw new ConflictError("organization_closed", "a closed organization cannot change");
  }

  /** Appends what was decided on `domain` at its version; the inline handlers write the rows. */
  private async applied(tx: Tx, domain: Domain, events: DomainEvent[], actor: Actor): Promise<Domain> {
    if (events.length === 0) return domain;
    await this.append(tx, domain.accountId, domain.id, domain.version, events, actor);
    return this.require(tx, domain.accountId, domain.id);
  }

  private append(
    tx: Tx,
    accountId: string,
    domainId: string,
    expectedVersion: number,
    events: DomainEvent[],
    actor: Actor,
  ): Promise<void> {
    return record(
      this.store,
      tx,
      { type: "domain", id: domainId, accountId },
      events,
      actor,
      this.clock.now(),
      expectedVersion,
    );
  }
}
