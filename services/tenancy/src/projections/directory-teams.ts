import { type DirectoryGroupCreated, IdentityEvent, type IdentityPayloads } from "@platform/contracts";
import { enterTenant } from "@platform/database";
import { ConcurrencyConflictError, UnavailableError } from "@platform/errors";
import { handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import type { GroupService } from "../app/groups";
import type { MembershipService } from "../app/membership-changes";
import type { Memberships } from "../app/memberships";
import type { Tx } from "../app/tenant";
import { SYSTEM_ACTOR } from "../domain/events";
import { isProvisioningSource } from "../domain/membership";

type DirectoryGroup = Pick<
  DirectoryGroupCreated,
  "account_id" | "directory_group_id" | "display_name" | "member_user_ids"
>;

const SCIM_ACTOR = { ...SYSTEM_ACTOR, type: "scim" };

/**
 * A team's group is decided on its version: when a person changes the same team while the directory's
 * event is applied, the store refuses one of them (concurrency_conflict). For this handler that is
 * transient, not a poison message: the projector retries it, and the retry decides on the new state.
 */
export function retryOnConflict<Args extends unknown[]>(
  handler: (...args: Args) => Promise<void>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    try {
      await handler(...args);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
      throw new UnavailableError("team_changed_concurrently", error.message, { cause: error });
    }
  };
}

/** The team a directory (SCIM) group becomes: a stable id, so every event about it finds the same team. */
export const teamIdOf = (directoryGroupId: string) => `grp_dir_${directoryGroupId}`;

/**
 * People the organization's identity provider provisions (identity's UserProvisioned) become
 * members, and leave when the directory removes them (UserRemoved). The organization's directory
 * groups (DirectoryGroup* events) become teams under the account, with the directory's members who
 * belong to the organization. Renames and membership changes follow; deleting the group archives the
 * team.
 *
 * A group's event and its members' UserProvisioned have different aggregates, so they may arrive in
 * either order (different partitions). The directory's whole list is a read model of identity's topic
 * (`directory_team_rosters`, src/projections/read-models.ts), and a person provisioned after their
 * group was announced joins its teams then. A group's event waits here until the read models have
 * applied it (`readModelsHave`): a UserProvisioned handled after it then finds the list.
 */
export function directoryTeamHandlers(
  groups: GroupService,
  members: MembershipService,
  memberships: Memberships,
  readModelsHave: ProjectionHandler<Tx>,
): Record<string, ProjectionHandler<Tx>> {
  async function sync(tx: Tx, data: DirectoryGroup, occurredAt: Date): Promise<void> {
    await enterTenant(tx, data.account_id);
    if (!(await tx.organization.findUnique({ where: { accountId: data.account_id } }))) return;
    const teamId = teamIdOf(data.directory_group_id);
    let team = await tx.group.findFirst({ where: { id: teamId, accountId: data.account_id } });
    if (team?.archivedAt) return;
    if (!team)
      team = await groups.createWithin(
        tx,
        data.account_id,
        { id: teamId, type: "team", name: data.display_name },
        SCIM_ACTOR,
      );
    else if (team.name !== data.display_name)
      team = await groups.renameWithin(tx, data.account_id, teamId, data.display_name, SCIM_ACTOR);
    const wanted = new Set(data.member_user_ids);
    const organizationMembers = new Set(
      (await tx.membership.findMany({ where: { accountId: data.account_id, groupId: data.account_id } })).map(
        (m) => m.userId,
      ),
    );
    const current = await tx.membership.findMany({ where: { accountId: data.account_id, groupId: teamId } });
    for (const userId of wanted)
      if (organizationMembers.has(userId) && !current.some((m) => m.userId === userId))
        await memberships.add(
          tx,
          data.account_id,
          teamId,
          "team",
          userId,
          team.defaultRole ?? "member",
          "scim",
          SCIM_ACTOR,
        );
    for (const membership of current)
      if (!wanted.has(membership.userId))
        await memberships.remove(tx, membership, "team", "deprovisioned", SCIM_ACTOR, occurredAt);
  }

  /** The directory teams that listed the person before tenancy knew them as a member. */
  async function joinWaitingTeams(tx: Tx, accountId: string, userId: string): Promise<void> {
    const rosters = await tx.directoryTeamRoster.findMany({
      where: { accountId, memberIds: { has: userId } },
    });
    const waiting = await tx.group.findMany({
      where: { accountId, archivedAt: null, id: { in: rosters.map((roster) => roster.teamId) } },
    });
    for (const team of waiting)
      if (!(await tx.membership.findUnique({ where: { groupId_userId: { groupId: team.id, userId } } })))
        await memberships.add(
          tx,
          accountId,
          team.id,
          team.type,
          userId,
          team.defaultRole ?? "member",
          "scim",
          SCIM_ACTOR,
        );
  }

  return handlersFor<IdentityPayloads>()<Tx>({
    [IdentityEvent.UserProvisioned]: async (tx, event) => {
      const { data } = event;
      if (!isProvisioningSource(data.source)) return;
      await enterTenant(tx, data.account_id);
      const added = await members.provisioned(tx, { ...data, source: data.source }, data.actor);
      if (added) await joinWaitingTeams(tx, data.account_id, data.user_id);
    },
    [IdentityEvent.UserRemoved]: async (tx, event) => {
      const { data } = event;
      await enterTenant(tx, data.account_id);
      await members.deprovisioned(tx, data, data.actor);
    },
    [IdentityEvent.DirectoryGroupCreated]: retryOnConflict(async (tx, event) => {
      await readModelsHave(tx, event);
      await sync(tx, event.data, event.occurredAt);
    }),
    [IdentityEvent.DirectoryGroupUpdated]: retryOnConflict(async (tx, event) => {
      await readModelsHave(tx, event);
      await sync(tx, event.data, event.occurredAt);
    }),
    [IdentityEvent.DirectoryGroupDeleted]: retryOnConflict(async (tx, event) => {
      const { data } = event;
      await enterTenant(tx, data.account_id);
      const team = await tx.group.findFirst({
        where: { id: teamIdOf(data.directory_group_id), accountId: data.account_id },
      });
      if (team && !team.archivedAt) await groups.archiveWithin(tx, data.account_id, team.id, SCIM_ACTOR);
    }),
  });
}
