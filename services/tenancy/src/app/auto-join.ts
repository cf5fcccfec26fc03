import { IdentityEvent, type IdentityPayloads } from "@platform/contracts";
import { enterTenant } from "@platform/database";
import { handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import { SYSTEM_ACTOR } from "../domain/events";
import { acceptsWrites } from "../domain/lifecycle";
import { claimOf } from "./domains";
import type { Memberships } from "./memberships";
import type { Seats } from "./seats";
import { lockOrganization, type Tx } from "./tenant";

/**
 * The auto-join process: a person whose address is verified at a domain verified with auto_join
 * becomes a member of its organization. Idempotent (member already? nothing), so redelivery is safe.
 */
export class AutoJoin {
  constructor(
    private readonly seats: Seats,
    private readonly memberships: Memberships,
  ) {}

  handlers(): Record<string, ProjectionHandler<Tx>> {
    const str = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : null);
    return handlersFor<IdentityPayloads>()<Tx>({
      [IdentityEvent.UserSignedUp]: async (tx, event) => {
        const { data } = event;
        if (data.email_verified === true) await this.join(tx, str(data.user_id), str(data.email));
      },
      [IdentityEvent.EmailVerified]: async (tx, event) => {
        const { data } = event;
        await this.join(tx, str(data.user_id), str(data.email));
      },
      // A directory or SSO connection vouches for the address only inside its own organization: an
      // admin lists the connection's domains freely, so trusting it elsewhere would let one
      // organization's identity provider mint members of another's.
      [IdentityEvent.UserProvisioned]: async (tx, event) => {
        const { data } = event;
        await this.join(tx, str(data.user_id), str(data.email), str(data.account_id));
      },
    });
  }

  private async join(
    tx: Tx,
    userId: string | null,
    email: string | null,
    onlyAccount?: string | null,
  ): Promise<void> {
    if (!userId || !email) return;
    // Exact domain only: a verified acme.com says nothing about who controls mail at eng.acme.com.
    const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
    const claim = await claimOf(tx, domain);
    if (!claim?.autoJoin) return;
    if (onlyAccount !== undefined && onlyAccount !== claim.accountId) return;
    const accountId = claim.accountId;
    await enterTenant(tx, accountId);
    // A seat decision (it counts every membership and invitation): under the organization lock.
    const status = await lockOrganization(tx, accountId);
    if (status === null || !acceptsWrites(status)) return;
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
}
