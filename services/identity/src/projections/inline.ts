import type { IdentityPayloads } from "@platform/contracts";
import type { InlineHandlers } from "@platform/event-sourcing";
import type { Tx } from "../app/context";
import { IdentityEvent } from "../domain/events";
import { PERSON_TABLES, personHandlers, resetPeople } from "./people";

/**
 * identity's own state that is wholly in its events, as inline projections: the store runs these in
 * the append's transaction and `store.rebuildInline` replays them over the log, so they are the only
 * writers of their tables. Times come from the event, never the wall clock, so a rebuild writes what
 * the live run wrote.
 */
export const inlineHandlers: InlineHandlers<Tx, IdentityPayloads> = {
  // People (users, invitation_acceptances): src/projections/people.ts.
  ...personHandlers,
  // An organization's own role; the platform defaults (account_id null) live in @platform/auth.
  [IdentityEvent.RoleDefined]: async (tx, event) => {
    const { account_id: accountId, role, permissions, description } = event.data;
    if (!accountId) return;
    const values = { permissions, description, version: event.version, updatedAt: event.occurredAt };
    await tx.roleDefinition.upsert({
      where: { accountId_role: { accountId, role } },
      create: { accountId, role, ...values },
      update: values,
    });
  },
  // Each revocation is its own aggregate: the row's id is the aggregate's.
  [IdentityEvent.AccessRevoked]: async (tx, event) => {
    const { data } = event;
    await tx.revocation.create({
      data: {
        id: event.aggregateId,
        scope: data.scope,
        subjectId: data.subject_id,
        accountId: data.account_id,
        tokensIssuedBefore: new Date(data.tokens_issued_before),
        reason: data.reason,
      },
    });
  },
  // A group's revision (its SCIM ETag) is its aggregate's version.
  [IdentityEvent.DirectoryGroupCreated]: async (tx, event) => {
    const { data } = event;
    await tx.directoryGroup.create({
      data: {
        id: data.directory_group_id,
        accountId: data.account_id,
        displayName: data.display_name,
        externalId: data.external_id,
        memberIds: data.member_user_ids,
        revision: event.version,
        createdAt: event.occurredAt,
        updatedAt: event.occurredAt,
      },
    });
  },
  [IdentityEvent.DirectoryGroupUpdated]: async (tx, event) => {
    const { data } = event;
    await tx.directoryGroup.update({
      where: { id: data.directory_group_id },
      data: {
        displayName: data.display_name,
        externalId: data.external_id,
        memberIds: data.member_user_ids,
        revision: event.version,
        updatedAt: event.occurredAt,
      },
    });
  },
  [IdentityEvent.DirectoryGroupDeleted]: async (tx, event) => {
    await tx.directoryGroup.deleteMany({ where: { id: event.data.directory_group_id } });
  },
};

/** The tables written only by the handlers above. */
export const INLINE_TABLES = [
  "role_definitions",
  "revocations",
  "directory_groups",
  ...PERSON_TABLES,
] as const;

/** Empties the inline projections' tables, for `store.rebuildInline`. */
export async function resetInline(tx: Tx): Promise<void> {
  await tx.roleDefinition.deleteMany();
  await tx.revocation.deleteMany();
  await tx.directoryGroup.deleteMany();
  await resetPeople(tx);
}
