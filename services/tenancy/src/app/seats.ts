import { PlatformError } from "@platform/errors";
import type { Clock } from "@platform/event-sourcing";
import { hasFreeSeat } from "../domain/membership";
import type { Tx } from "./tenant";

/**
 * Seats: organization members plus pending invitations, against the plan's user limit. The count
 * reads every membership and invitation of the organization, which no one aggregate's version
 * guards: every caller holds `lockOrganization` first, so two seat decisions take turns.
 */
export class Seats {
  constructor(
    private readonly clock: Clock,
    private readonly seatLimitWithoutPlan: number,
  ) {}

  private async usage(tx: Tx, accountId: string) {
    const traits = await tx.accountTraits.findUnique({ where: { accountId } });
    const limit = traits?.seatLimit ?? this.seatLimitWithoutPlan;
    const members = await tx.membership.count({ where: { accountId, groupId: accountId } });
    const pending = await tx.invitation.count({
      where: { accountId, status: "pending", expiresAt: { gt: this.clock.now() } },
    });
    return {
      limit,
      members,
      pending,
      plan: traits?.plan ?? null,
      free: hasFreeSeat({ limit, members, pending }),
    };
  }

  /** Whether one more person fits (auto-join asks; it skips rather than fails when full). */
  async hasSeat(tx: Tx, accountId: string): Promise<boolean> {
    return (await this.usage(tx, accountId)).free;
  }

  /** Refuses (`seat_limit_reached`) when one more person does not fit. */
  async ensureSeat(tx: Tx, accountId: string): Promise<void> {
    const { limit, members, pending, plan, free } = await this.usage(tx, accountId);
    if (!free)
      throw new PlatformError(
        "limit_reached",
        "seat_limit_reached",
        `the plan allows ${limit} users; upgrade to add more`,
        {
          details: { limit, members, pendingInvitations: pending, plan },
        },
      );
  }
}
