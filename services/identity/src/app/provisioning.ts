import { PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent } from "../domain/events";
import { directoryOwnsPerson, mayLinkExistingPerson } from "../domain/ownership";
import { hasFreeSeat, type SeatUsage, seatLimitDetail } from "../domain/seats";
import { newId } from "../domain/secrets";
import { accessOf, memberCount } from "./access";
import { appendEvents, type Clock, type Db, type RequestOrigin, type Tx } from "./context";

export interface ProvisionRequest {
  accountId: string;
  email: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  source: "saml" | "oidc" | "scim";
  externalId: string | null;
  /** The directory's userName for the person (SCIM); null for SAML and OIDC. */
  userName: string | null;
  connectionId: string | null;
  role: string;
}

export interface Provisioned {
  userId: string;
  created: boolean;
  /** False when the person already had access: nothing changed and no event was appended. */
  changed: boolean;
}

/**
 * Creates a person for an organization's identity provider, or links an existing one, and grants
 * access with a role (user.provisioned). Shared by SAML/OIDC just-in-time provisioning and SCIM.
 */
export class Provisioning {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly settings: { seatLimitWithoutPlan: number },
  ) {}

  async provision(tx: Tx, request: ProvisionRequest, origin: RequestOrigin): Promise<Provisioned> {
    const now = this.clock.now();
    const existing = await tx.user.findUnique({ where: { email: request.email } });
    if (existing) {
      const access = await accessOf(tx, existing.id, request.accountId);
      if (access) {
        if (!access.active)
          throw new PlatformError(
            "forbidden",
            "user_deactivated",
            "your access to this organization is suspended",
          );
        return { userId: existing.id, created: false, changed: false };
      }
      // A person is global: an organization's IdP may only claim people whose address it owns,
      // or one organization could take over another's members.
      if (!mayLinkExistingPerson(request.email, await this.verifiedDomainsOf(tx, request.accountId)))
        throw new PlatformError(
          "conflict",
          "user_exists_outside_domain",
          "a person with this e-mail address exists and its domain is not one of the organization's verified domains",
        );
    }
    await this.ensureSeat(tx, request.accountId);
    const userId = existing?.id ?? newId("usr_");
    // A new person's row and the access are the projection of UserProvisioned (src/projections/people.ts,
    // access.ts); a person already known is linked at the version read above, so a concurrent change
    // to them conflicts.
    await appendEvents(
      this.store,
      tx,
      { type: "user", id: userId, tenantId: request.accountId },
      [
        {
          type: IdentityEvent.UserProvisioned,
          data: {
            account_id: request.accountId,
            user_id: userId,
            email: request.email,
            given_name: request.givenName,
            family_name: request.familyName,
            display_name: request.displayName,
            source: request.source,
            external_id: request.externalId,
            user_name: request.userName,
            connection_id: request.connectionId,
            role: request.role,
            created: !existing,
            occurred_at: now.getTime(),
            actor: origin.actor,
          },
        },
      ],
      origin.actor,
      existing?.version ?? 0,
    );
    return { userId, created: !existing, changed: true };
  }

  /**
   * Refuses a new member over the plan's limit. Serialized per organization, so two directory
   * requests cannot both take the last seat; tenancy's invitations are decided under tenancy's own
   * lock, so the two services can still overfill by one in a race (docs/identity.md).
   */
  private async ensureSeat(tx: Tx, accountId: string): Promise<void> {
    await tx.$queryRawUnsafe("SELECT 1 FROM pg_advisory_xact_lock(hashtext('seats:' || $1))", accountId);
    const usage = await this.seatUsage(tx, accountId);
    if (!hasFreeSeat(usage))
      throw new PlatformError("limit_reached", "seat_limit_reached", seatLimitDetail(usage), {
        details: { ...usage },
      });
  }

  /** Whether the organization's directory may change this person's global profile (names, address). */
  async directoryOwns(
    tx: Tx,
    accountId: string,
    person: { accessSource: string; addresses: string[] },
  ): Promise<boolean> {
    return directoryOwnsPerson({ ...person, verifiedDomains: await this.verifiedDomainsOf(tx, accountId) });
  }

  private async verifiedDomainsOf(tx: Tx, accountId: string): Promise<string[]> {
    const rows = await tx.verifiedDomain.findMany({ where: { accountId }, select: { domain: true } });
    return rows.map((row) => row.domain);
  }

  /** Invitations tenancy still holds open that nobody accepted here yet (an accepted one is a member now). */
  private async pendingInvitations(tx: Tx, accountId: string): Promise<number> {
    const [row] = await tx.$queryRawUnsafe<{ pending: number }[]>(
      `SELECT count(*)::int AS pending FROM invitations i
        WHERE i.account_id = $1 AND i.status = 'pending' AND i.expires_at > $2
          AND NOT EXISTS (SELECT 1 FROM invitation_acceptances a WHERE a.invitation_id = i.id)`,
      accountId,
      this.clock.now(),
    );
    return row?.pending ?? 0;
  }

  private async seatUsage(tx: Tx, accountId: string): Promise<SeatUsage> {
    const plan = await tx.seatLimit.findUnique({ where: { accountId } });
    return {
      limit: plan?.seatLimit ?? this.settings.seatLimitWithoutPlan,
      members: await memberCount(tx, accountId),
      pendingInvitations: await this.pendingInvitations(tx, accountId),
    };
  }
}

/** What an identity provider asserted about the person signing in. */
export interface AssertedPerson {
  email: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  /** The person's id at the provider (SAML NameID, OIDC sub). */
  externalId: string;
}

/**
 * The person an SSO connection vouches for: their existing access, or just-in-time provisioning when
 * the connection allows it. Returns the person's id; SAML and OIDC then start the session.
 */
export async function personForConnection(
  db: Db,
  provisioning: Provisioning,
  connection: {
    id: string;
    accountId: string;
    jitProvisioning: boolean;
    defaultRole: string;
    protocol: string;
  },
  person: AssertedPerson,
  origin: RequestOrigin,
): Promise<string> {
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: person.email }, select: { id: true } });
    if (!connection.jitProvisioning && !(existing && (await accessOf(tx, existing.id, connection.accountId))))
      throw new PlatformError(
        "forbidden",
        "user_not_provisioned",
        "you have no access to this organization yet",
      );
    const provisioned = await provisioning.provision(
      tx,
      {
        accountId: connection.accountId,
        ...person,
        source: connection.protocol === "saml" ? "saml" : "oidc",
        userName: null,
        connectionId: connection.id,
        role: connection.defaultRole,
      },
      { actor: { ...origin.actor, type: "sso", id: connection.id } },
    );
    return provisioned.userId;
  });
}
