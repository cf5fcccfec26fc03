import type { Clock, EventStore } from "@platform/event-sourcing";
import type { Actor } from "../domain/events";
import { decide, type MembershipCommand, membershipId } from "../domain/membership";
import type { Membership } from "../generated/prisma/client";
import { record, type Tx } from "./tenant";

/**
 * The membership aggregate's commands, for every use case that adds, changes or ends a membership
 * (membership changes, invitations, auto-join, directory teams, a group's archive). Each reads the
 * membership, decides, and appends at its version; the inline handlers write `memberships`.
 */
export class Memberships {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Adds the person; 409 `member_exists` when they are a member there already. A person who was a
   * member before has no row but a history: the expected version is the log's, so two concurrent adds
   * of one person get one success and one `concurrency_conflict`.
   */
  async add(
    tx: Tx,
    accountId: string,
    groupId: string,
    groupType: string,
    userId: string,
    role: string,
    source: string,
    actor: Actor,
  ): Promise<Membership> {
    const existing = await tx.membership.findUnique({ where: { groupId_userId: { groupId, userId } } });
    const expectedVersion = existing
      ? existing.version
      : await this.store.currentVersion(tx, membershipId(groupId, userId));
    const command: MembershipCommand = { kind: "add", accountId, groupId, groupType, userId, role, source };
    await this.append(tx, accountId, groupId, userId, expectedVersion, decide(existing, command), actor);
    return tx.membership.findUniqueOrThrow({ where: { groupId_userId: { groupId, userId } } });
  }

  async changeRole(
    tx: Tx,
    membership: Membership,
    groupType: string,
    role: string,
    actor: Actor,
  ): Promise<Membership> {
    const events = decide(membership, { kind: "changeRole", groupType, role });
    if (events.length === 0) return membership;
    const { accountId, groupId, userId } = membership;
    await this.append(tx, accountId, groupId, userId, membership.version, events, actor);
    return tx.membership.findUniqueOrThrow({ where: { groupId_userId: { groupId, userId } } });
  }

  async remove(
    tx: Tx,
    membership: Membership,
    groupType: string,
    reason: string,
    actor: Actor,
    now: Date = this.clock.now(),
  ): Promise<void> {
    const { accountId, groupId, userId } = membership;
    const events = decide(membership, { kind: "remove", groupType, reason });
    await this.append(tx, accountId, groupId, userId, membership.version, events, actor, now);
  }

  private append(
    tx: Tx,
    accountId: string,
    groupId: string,
    userId: string,
    expectedVersion: number,
    events: ReturnType<typeof decide>,
    actor: Actor,
    now: Date = this.clock.now(),
  ): Promise<void> {
    return record(
      this.store,
      tx,
      { type: "membership", id: membershipId(groupId, userId), accountId },
      events,
      actor,
      now,
      expectedVersion,
    );
  }
}
