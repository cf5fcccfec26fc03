import { isUniqueViolation } from "@platform/database";
import { IdentityEvent } from "../../domain/events";
import { newId } from "../../domain/secrets";
import {
  applyGroupPatch,
  matchesFilter,
  parseFilter,
  ScimError,
  type ScimGroupInput,
  type ScimGroupRecord,
  type ScimPatchOperation,
  toScimGroup,
} from "../../scim";
import { membersAmong } from "../access";
import type { Db, RequestOrigin, Tx } from "../context";
import {
  appendDirectoryEvent,
  type Directory,
  type DirectoryDeps,
  groupRecord,
  inDirectoryTransaction,
  unique,
} from "./shared";

/**
 * A directory's groups. directory_groups is the inline projection of the group's events
 * (src/projections/inline.ts); a group's revision (its SCIM ETag) is its aggregate's version.
 */
export class ScimGroups {
  constructor(private readonly deps: DirectoryDeps) {}

  async getGroup(directory: Directory, groupId: string): Promise<ScimGroupRecord> {
    return groupRecord(await this.requireGroup(this.deps.db, directory, groupId));
  }

  async listGroups(
    directory: Directory,
    filterText: string | undefined,
    baseUrl: string,
  ): Promise<ScimGroupRecord[]> {
    const filter = filterText ? parseFilter(filterText, "Group") : null;
    const rows = await this.deps.db.directoryGroup.findMany({
      where: { accountId: directory.accountId },
      orderBy: { createdAt: "asc" },
    });
    return rows
      .map(groupRecord)
      .filter((record) => !filter || matchesFilter(filter, toScimGroup(record, baseUrl)));
  }

  async createGroup(
    directory: Directory,
    input: ScimGroupInput,
    origin: RequestOrigin,
  ): Promise<ScimGroupRecord> {
    return inDirectoryTransaction(this.deps.db, async (tx) => {
      await this.checkMembers(
        tx,
        directory,
        input.members.map((m) => m.value),
      );
      const id = newId("dgrp_");
      const group = {
        id,
        displayName: input.displayName,
        externalId: input.externalId,
        memberIds: unique(input.members.map((m) => m.value)),
      };
      await this.appendGroup(tx, directory, group, IdentityEvent.DirectoryGroupCreated, origin, 0);
      return groupRecord(await this.requireGroup(tx, directory, id));
    });
  }

  async replaceGroup(
    directory: Directory,
    groupId: string,
    input: ScimGroupInput,
    origin: RequestOrigin,
  ): Promise<ScimGroupRecord> {
    return inDirectoryTransaction(this.deps.db, async (tx) =>
      this.saveGroup(tx, directory, await this.lockGroup(tx, directory, groupId), input, origin),
    );
  }

  async patchGroup(
    directory: Directory,
    groupId: string,
    operations: ScimPatchOperation[],
    origin: RequestOrigin,
  ): Promise<ScimGroupRecord> {
    return inDirectoryTransaction(this.deps.db, async (tx) => {
      const group = await this.lockGroup(tx, directory, groupId);
      return this.saveGroup(tx, directory, group, applyGroupPatch(groupRecord(group), operations), origin);
    });
  }

  async deleteGroup(directory: Directory, groupId: string, origin: RequestOrigin): Promise<void> {
    await inDirectoryTransaction(this.deps.db, async (tx) => {
      const group = await this.lockGroup(tx, directory, groupId);
      await appendDirectoryEvent(
        this.deps,
        tx,
        { type: "directory_group", id: groupId, tenantId: directory.accountId },
        IdentityEvent.DirectoryGroupDeleted,
        {
          account_id: directory.accountId,
          directory_group_id: groupId,
        },
        origin,
        group.revision,
      );
    });
  }

  /** A person removed from the directory leaves every group of it, in the caller's transaction. */
  async removeFromGroups(tx: Tx, directory: Directory, userId: string, origin: RequestOrigin): Promise<void> {
    const groups = await tx.directoryGroup.findMany({
      where: { accountId: directory.accountId, memberIds: { has: userId } },
    });
    for (const group of groups) {
      const saved = { ...group, memberIds: group.memberIds.filter((id) => id !== userId) };
      await this.appendGroup(
        tx,
        directory,
        saved,
        IdentityEvent.DirectoryGroupUpdated,
        origin,
        group.revision,
      );
    }
  }

  private async saveGroup(
    tx: Tx,
    directory: Directory,
    group: { id: string; revision: number },
    input: ScimGroupInput,
    origin: RequestOrigin,
  ): Promise<ScimGroupRecord> {
    await this.checkMembers(
      tx,
      directory,
      input.members.map((m) => m.value),
    );
    try {
      const saved = {
        id: group.id,
        displayName: input.displayName,
        externalId: input.externalId,
        memberIds: unique(input.members.map((m) => m.value)),
      };
      await this.appendGroup(
        tx,
        directory,
        saved,
        IdentityEvent.DirectoryGroupUpdated,
        origin,
        group.revision,
      );
      return groupRecord(await this.requireGroup(tx, directory, group.id));
    } catch (error) {
      if (isUniqueViolation(error)) throw ScimError.uniqueness(`a group named ${input.displayName} exists`);
      throw error;
    }
  }

  private async checkMembers(tx: Tx, directory: Directory, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const known = await membersAmong(tx, directory.accountId, unique(userIds));
    const missing = unique(userIds).filter((id) => !known.includes(id));
    if (missing.length > 0)
      throw ScimError.invalidValue(`members are not users of this directory: ${missing.join(", ")}`);
  }

  private async appendGroup(
    tx: Tx,
    directory: Directory,
    group: { id: string; displayName: string; externalId: string | null; memberIds: string[] },
    type: string,
    origin: RequestOrigin,
    expectedVersion: number,
  ): Promise<void> {
    await appendDirectoryEvent(
      this.deps,
      tx,
      { type: "directory_group", id: group.id, tenantId: directory.accountId },
      type,
      {
        account_id: directory.accountId,
        directory_group_id: group.id,
        display_name: group.displayName,
        external_id: group.externalId,
        member_user_ids: group.memberIds,
      },
      origin,
      expectedVersion,
    );
  }

  private async requireGroup(client: Db | Tx, directory: Directory, groupId: string) {
    const group = await client.directoryGroup.findFirst({
      where: { id: groupId, accountId: directory.accountId },
    });
    if (!group) throw ScimError.notFound(`Group ${groupId} not found`);
    return group;
  }

  private async lockGroup(tx: Tx, directory: Directory, groupId: string) {
    await tx.$queryRawUnsafe(
      "SELECT 1 FROM directory_groups WHERE id = $1 AND account_id = $2 FOR UPDATE",
      groupId,
      directory.accountId,
    );
    return this.requireGroup(tx, directory, groupId);
  }
}
