import type { ProjectionHandler } from "@platform/event-sourcing";
import type { GroupService } from "../app/groups";
import type { MemberService } from "../app/members";
import { enterTenant, type Tx } from "../app/tenant";
import { SYSTEM_ACTOR } from "../domain/events";

interface DirectoryGroup {
  account_id: string;
  directory_group_id: string;
  display_name?: string;
  member_user_ids?: string[];
}

const SCIM_ACTOR = { ...SYSTEM_ACTOR, type: "scim" };

/** The team a directory (SCIM) group becomes: a stable id, so every event about it finds the same team. */
export const teamIdOf = (directoryGroupId: string) => `grp_dir_${directoryGroupId}`;

/**
 * The organization's directory groups (identity's DirectoryGroup* events) become teams under the
 * account, with the directory's members who belong to the organization. Renames and membership
 * changes follow; deleting the group archives the team.
 */
export function directoryTeamHandlers(
  groups: GroupService,
  members: MemberService,
): Record<string, ProjectionHandler<Tx>> {
  async function sync(tx: Tx, data: DirectoryGroup): Promise<void> {
    await enterTenant(tx, data.account_id);
    if (!(await tx.organization.findUnique({ where: { accountId: data.account_id } }))) return;
    const teamId = teamIdOf(data.directory_group_id);
    let team = await tx.group.findFirst({ where: { id: teamId, accountId: data.account_id } });
    if (team?.archivedAt) return;
    if (!team)
      team = await groups.createWithin(
        tx,
        data.account_id,
        { id: teamId, type: "team", name: String(data.display_name) },
        SCIM_ACTOR,
      );
    else if (team.name !== data.display_name)
      team = await groups.renameWithin(tx, data.account_id, teamId, String(data.display_name), SCIM_ACTOR);
    const wanted = new Set(data.member_user_ids ?? []);
    const organizationMembers = new Set(
      (await tx.membership.findMany({ where: { accountId: data.account_id, groupId: data.account_id } })).map(
        (m) => m.userId,
      ),
    );
    const current = await tx.membership.findMany({ where: { accountId: data.account_id, groupId: teamId } });
    for (const userId of wanted)
      if (organizationMembers.has(userId) && !current.some((m) => m.userId === userId))
        await members.addWithin(
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
        await members.removeWithin(
          tx,
          data.account_id,
          membership,
          "team",
          "deprovisioned",
          SCIM_ACTOR,
          new Date(),
        );
  }

  return {
    "platform.identity.DirectoryGroupCreated": (tx, event) =>
      sync(tx, event.data as unknown as DirectoryGroup),
    "platform.identity.DirectoryGroupUpdated": (tx, event) =>
      sync(tx, event.data as unknown as DirectoryGroup),
    "platform.identity.DirectoryGroupDeleted": async (tx, event) => {
      const data = event.data as unknown as DirectoryGroup;
      await enterTenant(tx, data.account_id);
      const team = await tx.group.findFirst({
        where: { id: teamIdOf(data.directory_group_id), accountId: data.account_id },
      });
      if (team && !team.archivedAt) await groups.archiveWithin(tx, data.account_id, team.id, SCIM_ACTOR);
    },
  };
}
