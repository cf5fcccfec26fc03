import type { IdentityPayloads } from "@platform/contracts";
import type { InlineHandlers } from "@platform/event-sourcing";
import type { Tx } from "../app/context";
import { ssoSettingsOf } from "../domain/credentials";
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
  // Credentials: the rows hold everything but the secret, which stays in the secret store
  // (api_key_secrets, scim_token_secrets, sso_client_secrets). Events from before v2 carry no minter.
  [IdentityEvent.ApiKeyCreated]: async (tx, event) => {
    const { data } = event;
    await tx.apiKey.create({
      data: {
        id: data.api_key_id,
        accountId: data.account_id,
        name: data.name,
        prefix: data.prefix,
        scopes: data.scopes,
        createdBy: data.actor.id ?? data.actor.type,
        createdAt: event.occurredAt,
        expiresAt: data.expires_at === null ? null : new Date(data.expires_at),
        creatorUserId: data.creator_user_id ?? null,
        parentKeyId: data.parent_key_id ?? null,
        sessionId: data.session_id ?? null,
        version: event.version,
      },
    });
  },
  [IdentityEvent.ApiKeyRevoked]: async (tx, event) => {
    await tx.apiKey.update({
      where: { id: event.data.api_key_id },
      data: { revokedAt: event.occurredAt, version: event.version },
    });
  },
  [IdentityEvent.ScimTokenIssued]: async (tx, event) => {
    const { data } = event;
    await tx.scimToken.create({
      data: {
        id: data.token_id,
        accountId: data.account_id,
        prefix: data.prefix,
        createdAt: event.occurredAt,
        creatorUserId: data.creator_user_id ?? null,
        parentKeyId: data.parent_key_id ?? null,
        sessionId: data.session_id ?? null,
        version: event.version,
      },
    });
  },
  [IdentityEvent.ScimTokenRevoked]: async (tx, event) => {
    await tx.scimToken.update({
      where: { id: event.data.token_id },
      data: { revokedAt: event.occurredAt, version: event.version },
    });
  },
  [IdentityEvent.SsoConnectionConfigured]: async (tx, event) => {
    const { data } = event;
    const values = {
      accountId: data.account_id,
      protocol: data.protocol,
      name: data.name,
      settings: ssoSettingsOf(data) as object,
      jitProvisioning: data.jit_provisioning,
      defaultRole: data.default_role,
      enabled: data.enabled,
      updatedAt: event.occurredAt,
      version: event.version,
    };
    await tx.ssoConnection.upsert({
      where: { id: data.connection_id },
      create: { id: data.connection_id, createdAt: event.occurredAt, ...values },
      update: values,
    });
  },
  [IdentityEvent.SsoConnectionDeleted]: async (tx, event) => {
    await tx.ssoConnection.deleteMany({ where: { id: event.data.connection_id } });
  },
};

/** The tables written only by the handlers above. */
export const INLINE_TABLES = [
  "role_definitions",
  "revocations",
  "directory_groups",
  ...PERSON_TABLES,
  "api_keys",
  "scim_tokens",
  "sso_connections",
] as const;

/** Empties the inline projections' tables, for `store.rebuildInline`. */
export async function resetInline(tx: Tx): Promise<void> {
  await tx.roleDefinition.deleteMany();
  await tx.revocation.deleteMany();
  await tx.directoryGroup.deleteMany();
  await resetPeople(tx);
  await tx.apiKey.deleteMany();
  await tx.scimToken.deleteMany();
  await tx.ssoConnection.deleteMany();
}
