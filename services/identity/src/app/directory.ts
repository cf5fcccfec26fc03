import { assertPermitted, type Principal, permits } from "@platform/auth";
import { isUniqueViolation } from "@platform/database";
import { ConcurrencyConflictError, NotFoundError, PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent } from "../domain/events";
import { decideProfileUpdate } from "../domain/people";
import { newId, newSecret, normalizeEmail, sha256 } from "../domain/secrets";
import {
  applyGroupPatch,
  applyUserPatch,
  matchesFilter,
  parseFilter,
  ScimError,
  type ScimFilter,
  type ScimGroupInput,
  type ScimGroupRecord,
  type ScimPatchOperation,
  type ScimUserInput,
  type ScimUserRecord,
  toScimGroup,
  toScimUser,
} from "../scim";
import { assertOpen } from "./closed-accounts";
import { appendEvents, type Clock, type Db, type RequestOrigin, type Tx } from "./context";
import type { Credentials } from "./credentials";
import { personVersion } from "./person-state";
import type { Provisioning } from "./provisioning";
import type { SessionService } from "./sessions";

const TOKEN_PREFIX = "scim_";
const SCIM_PERMISSION = "scim.manage";

/** The SCIM directory of one organization, as its bearer token identifies it. */
export interface Directory {
  accountId: string;
  tokenId: string;
}

type AccessWithUser = NonNullable<Awaited<ReturnType<DirectoryService["loadAccess"]>>>;

/**
 * SCIM 2.0 provisioning: an organization's directory (Okta, Entra, ...) creates, updates, suspends
 * and removes its people and groups. People are global, their access is per organization, so every
 * read and write here is scoped to the directory's organization.
 */
export class DirectoryService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly sessions: SessionService,
    private readonly credentials: Credentials,
    private readonly clock: Clock,
    private readonly provisioning: Provisioning,
  ) {}

  // ---- tokens ----

  /** A directory token acts for its minter: it works while they (and the key they used) hold scim.manage. */
  async issueToken(
    accountId: string,
    principal: Principal,
    origin: RequestOrigin,
  ): Promise<{ tokenId: string; token: string }> {
    assertPermitted(principal, SCIM_PERMISSION);
    const minter = await this.credentials.minterOf(this.db, principal);
    if (!minter)
      throw new PlatformError("forbidden", "credential_orphaned", "this API key has no creator to act for");
    const token = newSecret(TOKEN_PREFIX);
    const tokenId = newId("scimtok_");
    await this.db.$transaction(async (tx) => {
      // The hash goes to the secret store; scim_tokens is the inline projection of ScimTokenIssued.
      await tx.scimTokenSecret.create({ data: { tokenId, tokenHash: sha256(token) } });
      await this.append(
        tx,
        { type: "scim_token", id: tokenId, tenantId: accountId },
        IdentityEvent.ScimTokenIssued,
        {
          account_id: accountId,
          token_id: tokenId,
          prefix: token.slice(0, TOKEN_PREFIX.length + 6),
          creator_user_id: minter.creatorUserId,
          parent_key_id: minter.parentKeyId,
          session_id: minter.sessionId,
        },
        origin,
        0,
      );
    });
    return { tokenId, token };
  }

  async revokeToken(accountId: string, tokenId: string, origin: RequestOrigin): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const row = await tx.scimToken.findFirst({ where: { id: tokenId, accountId } });
      if (!row) throw new NotFoundError("scim_token_not_found", `SCIM token ${tokenId} does not exist`);
      await this.credentials.revokeScimToken(tx, row, origin.actor);
    });
  }

  async authenticate(authorization: string | undefined): Promise<Directory> {
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : "";
    const secret = token.startsWith(TOKEN_PREFIX)
      ? await this.db.scimTokenSecret.findUnique({ where: { tokenHash: sha256(token) } })
      : null;
    const row = secret ? await this.db.scimToken.findUnique({ where: { id: secret.tokenId } }) : null;
    const rights = row ? await this.credentials.rightsOfScimToken(this.db, row) : null;
    if (!row || !rights || !permits(rights, SCIM_PERMISSION))
      throw new PlatformError(
        "unauthenticated",
        "scim_token_invalid",
        "the SCIM bearer token is invalid or revoked, or whoever issued it no longer manages the directory",
      );
    // A closed organization's directory stops: every request, read or write, answers 409 in SCIM's format.
    await assertOpen(this.db, row.accountId);
    return { accountId: row.accountId, tokenId: row.id };
  }

  // ---- users ----

  async getUser(directory: Directory, userId: string): Promise<ScimUserRecord> {
    return userRecord(await this.requireAccess(this.db, directory, userId));
  }

  async listUsers(
    directory: Directory,
    filterText: string | undefined,
    baseUrl: string,
  ): Promise<ScimUserRecord[]> {
    const filter: ScimFilter | null = filterText ? parseFilter(filterText, "User") : null;
    const rows = await this.db.accountAccess.findMany({
      where: { accountId: directory.accountId },
      include: { user: true },
      orderBy: { createdAt: "asc" },
    });
    // Filters are evaluated on the SCIM representation itself, so every attribute and operator the
    // protocol layer supports works here unchanged (see docs/identity.md for the size this suits).
    return rows
      .map(userRecord)
      .filter((record) => !filter || matchesFilter(filter, toScimUser(record, baseUrl)));
  }

  async createUser(
    directory: Directory,
    input: ScimUserInput,
    origin: RequestOrigin,
  ): Promise<ScimUserRecord> {
    const email = loginEmailOf(input);
    return this.inTransaction(async (tx) => {
      await this.ensureUserNameFree(tx, directory, input.userName, null);
      const provisioned = await this.provisioning.provision(
        tx,
        {
          accountId: directory.accountId,
          email,
          givenName: input.name.givenName,
          familyName: input.name.familyName,
          displayName: input.displayName,
          source: "scim",
          externalId: input.externalId,
          connectionId: directory.tokenId,
          role: "member",
        },
        origin,
      );
      if (!provisioned.changed) throw ScimError.uniqueness(IN_USE);
      const access = await tx.accountAccess.update({
        where: { userId_accountId: { userId: provisioned.userId, accountId: directory.accountId } },
        data: { userName: input.userName, userNameKey: userNameKeyOf(input.userName) },
      });
      if (!input.active)
        await this.setActive(tx, directory, provisioned.userId, false, origin, {
          version: await personVersion(tx, provisioned.userId),
          revision: access.revision,
        });
      return userRecord(await this.requireAccess(tx, directory, provisioned.userId));
    });
  }

  async replaceUser(
    directory: Directory,
    userId: string,
    input: ScimUserInput,
    origin: RequestOrigin,
  ): Promise<ScimUserRecord> {
    return this.inTransaction(async (tx) =>
      this.saveUser(tx, directory, await this.requireAccess(tx, directory, userId), input, origin),
    );
  }

  async patchUser(
    directory: Directory,
    userId: string,
    operations: ScimPatchOperation[],
    origin: RequestOrigin,
  ): Promise<ScimUserRecord> {
    return this.inTransaction(async (tx) => {
      const access = await this.requireAccess(tx, directory, userId);
      return this.saveUser(tx, directory, access, applyUserPatch(userRecord(access), operations), origin);
    });
  }

  async deleteUser(directory: Directory, userId: string, origin: RequestOrigin): Promise<void> {
    await this.inTransaction(async (tx) => {
      const access = await this.requireAccess(tx, directory, userId);
      // First, at the version read: of two concurrent removals the store refuses the second.
      await this.append(
        tx,
        { type: "user", id: userId, tenantId: directory.accountId },
        IdentityEvent.UserRemoved,
        {
          account_id: directory.accountId,
          user_id: userId,
          source: "scim",
        },
        origin,
        access.user.version,
      );
      await this.sessions.revokeAllOf(tx, userId, directory.accountId, "deactivated", origin);
      await tx.accountAccess.delete({
        where: { userId_accountId: { userId, accountId: directory.accountId } },
      });
      await this.removeFromGroups(tx, directory, userId, origin);
    });
  }

  // ---- groups ----

  async getGroup(directory: Directory, groupId: string): Promise<ScimGroupRecord> {
    return groupRecord(await this.requireGroup(this.db, directory, groupId));
  }

  async listGroups(
    directory: Directory,
    filterText: string | undefined,
    baseUrl: string,
  ): Promise<ScimGroupRecord[]> {
    const filter = filterText ? parseFilter(filterText, "Group") : null;
    const rows = await this.db.directoryGroup.findMany({
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
    return this.inTransaction(async (tx) => {
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
      // directory_groups is the inline projection of the group's events (src/projections/inline.ts).
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
    return this.inTransaction(async (tx) =>
      this.saveGroup(tx, directory, await this.lockGroup(tx, directory, groupId), input, origin),
    );
  }

  async patchGroup(
    directory: Directory,
    groupId: string,
    operations: ScimPatchOperation[],
    origin: RequestOrigin,
  ): Promise<ScimGroupRecord> {
    return this.inTransaction(async (tx) => {
      const group = await this.lockGroup(tx, directory, groupId);
      return this.saveGroup(tx, directory, group, applyGroupPatch(groupRecord(group), operations), origin);
    });
  }

  async deleteGroup(directory: Directory, groupId: string, origin: RequestOrigin): Promise<void> {
    await this.inTransaction(async (tx) => {
      const group = await this.lockGroup(tx, directory, groupId);
      await this.append(
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

  // ---- internals ----

  private async saveUser(
    tx: Tx,
    directory: Directory,
    access: AccessWithUser,
    input: ScimUserInput,
    origin: RequestOrigin,
  ): Promise<ScimUserRecord> {
    const userId = access.userId;
    const email = loginEmailOf(input);
    const proposed = {
      email,
      givenName: input.name.givenName,
      familyName: input.name.familyName,
      displayName: input.displayName,
    };
    const decision = decideProfileUpdate(access.user, proposed, {
      memberElsewhere:
        email !== access.user.email &&
        (await tx.accountAccess.count({ where: { userId, accountId: { not: directory.accountId } } })) > 0,
      directoryOwnsPerson: await this.provisioning.directoryOwns(tx, directory.accountId, {
        accessSource: access.source,
        addresses: [access.user.email, email],
      }),
    });
    if (decision.outcome === "refused")
      throw ScimError.mutability(
        decision.reason === "shared_login"
          ? "the e-mail address of a person who belongs to other organizations cannot be changed"
          : "name and e-mail address belong to the person: this directory may change them only for people it provisioned at the organization's verified domains",
      );
    const directoryChanged = input.userName !== access.userName || input.externalId !== access.externalId;
    if (input.userName !== access.userName)
      await this.ensureUserNameFree(tx, directory, input.userName, userId);
    // The person first, at the version this request read: of two concurrent updates of one person the
    // store refuses the second (409 concurrency_conflict). users is the projection of the event.
    let version = access.user.version;
    if (decision.outcome === "updated") {
      await this.append(
        tx,
        { type: "user", id: userId, tenantId: directory.accountId },
        IdentityEvent.UserProfileUpdated,
        {
          account_id: directory.accountId,
          user_id: userId,
          email,
          given_name: input.name.givenName,
          family_name: input.name.familyName,
          display_name: input.displayName,
        },
        origin,
        version,
      );
      version += 1;
    }
    let revision = access.revision;
    if (decision.outcome === "updated" || directoryChanged)
      revision = await this.updateAccess(tx, directory, userId, revision, {
        userName: input.userName,
        userNameKey: userNameKeyOf(input.userName),
        externalId: input.externalId,
      });
    if (input.active !== access.active)
      await this.setActive(tx, directory, userId, input.active, origin, { version, revision });
    return userRecord(await this.requireAccess(tx, directory, userId));
  }

  /**
   * account_access is not a projection yet (src/tables.ts): its SCIM attributes are written here, on
   * the condition that its revision (the SCIM ETag) is still the one read, so a concurrent change to
   * the same access conflicts instead of being overwritten. Returns the new revision.
   */
  private async updateAccess(
    tx: Tx,
    directory: Directory,
    userId: string,
    revision: number,
    data: { userName?: string; userNameKey?: string; externalId?: string | null; active?: boolean },
  ): Promise<number> {
    const updated = await tx.accountAccess.updateMany({
      where: { userId, accountId: directory.accountId, revision },
      data: { ...data, revision: revision + 1 },
    });
    if (updated.count !== 1) throw new ConcurrencyConflictError(`${userId}@${directory.accountId}`, revision);
    return revision + 1;
  }

  /** active=false suspends the person in this organization and ends their sessions in it at once. */
  private async setActive(
    tx: Tx,
    directory: Directory,
    userId: string,
    active: boolean,
    origin: RequestOrigin,
    read: { version: number; revision: number },
  ): Promise<void> {
    await this.updateAccess(tx, directory, userId, read.revision, { active });
    if (active) {
      await this.append(
        tx,
        { type: "user", id: userId, tenantId: directory.accountId },
        IdentityEvent.UserReactivated,
        {
          account_id: directory.accountId,
          user_id: userId,
          source: "scim",
        },
        origin,
        read.version,
      );
      return;
    }
    // The event first, at the version read; ending the sessions appends after it.
    const revoked = await this.sessions.countLive(tx, userId, directory.accountId);
    await this.append(
      tx,
      { type: "user", id: userId, tenantId: directory.accountId },
      IdentityEvent.UserDeactivated,
      {
        account_id: directory.accountId,
        user_id: userId,
        source: "scim",
        sessions_revoked: revoked,
      },
      origin,
      read.version,
    );
    await this.sessions.revokeAllOf(tx, userId, directory.accountId, "deactivated", origin);
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

  private async removeFromGroups(
    tx: Tx,
    directory: Directory,
    userId: string,
    origin: RequestOrigin,
  ): Promise<void> {
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

  private async checkMembers(tx: Tx, directory: Directory, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const known = await tx.accountAccess.findMany({
      where: { accountId: directory.accountId, userId: { in: unique(userIds) } },
      select: { userId: true },
    });
    const missing = unique(userIds).filter((id) => !known.some((k) => k.userId === id));
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
    await this.append(
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

  private async append(
    tx: Tx,
    aggregate: { type: string; id: string; tenantId: string },
    type: string,
    data: Record<string, unknown>,
    origin: RequestOrigin,
    /** The version decided on: the group's revision, or the person's version (users). */
    expectedVersion?: number,
  ): Promise<void> {
    await appendEvents(
      this.store,
      tx,
      aggregate,
      [{ type, data: { ...data, occurred_at: this.clock.now().getTime(), actor: origin.actor } }],
      origin.actor,
      expectedVersion,
    );
  }

  loadAccess(client: Db | Tx, directory: Directory, userId: string) {
    return client.accountAccess.findUnique({
      where: { userId_accountId: { userId, accountId: directory.accountId } },
      include: { user: true },
    });
  }

  private async requireAccess(
    client: Db | Tx,
    directory: Directory,
    userId: string,
  ): Promise<AccessWithUser> {
    const access = await this.loadAccess(client, directory, userId);
    if (!access) throw ScimError.notFound(`User ${userId} not found`);
    return access;
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

  /**
   * userName is caseExact false (RFC 7643 §4.1.1), so `PG2@CONTOSO.COM` clashes with
   * `pg2@contoso.com`. A person without a userName shows their address as one (userRecord), so an
   * address counts as taken too: a filter on userName must never find two people.
   */
  private async ensureUserNameFree(
    tx: Tx,
    directory: Directory,
    userName: string,
    exceptUserId: string | null,
  ): Promise<void> {
    const key = userNameKeyOf(userName);
    const taken = await tx.accountAccess.findFirst({
      where: {
        accountId: directory.accountId,
        ...(exceptUserId ? { userId: { not: exceptUserId } } : {}),
        OR: [{ userNameKey: key }, { userName: null, user: { email: key } }],
      },
    });
    if (taken) throw ScimError.uniqueness(`userName ${userName} is already taken in this directory`);
  }

  /** Duplicate userNames or addresses racing each other end as 409, as SCIM clients expect. */
  private async inTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.$transaction(work);
    } catch (error) {
      // A conflict's cause is the store's unique index; it is a concurrent change, not a taken name.
      if (error instanceof ConcurrencyConflictError) throw error;
      if (isUniqueViolation(error)) throw ScimError.uniqueness(IN_USE);
      throw error;
    }
  }
}

const userNameKeyOf = (userName: string) => userName.toLowerCase();

/** One answer for every clash over a person, so it never tells where else an address is in use. */
const IN_USE = "userName or e-mail address is already in use";

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The person's sign-in address: their primary e-mail, else the first, else a userName that is an address. */
function loginEmailOf(input: ScimUserInput): string {
  const candidate = input.emails.find((e) => e.primary)?.value ?? input.emails[0]?.value ?? input.userName;
  try {
    return normalizeEmail(candidate);
  } catch {
    throw ScimError.invalidValue("a user needs an e-mail address (emails, or a userName that is one)");
  }
}

function userRecord(access: AccessWithUser): ScimUserRecord {
  return {
    id: access.userId,
    userName: access.userName ?? access.user.email,
    externalId: access.externalId,
    active: access.active,
    displayName: access.user.displayName,
    name: { givenName: access.user.givenName, familyName: access.user.familyName, formatted: null },
    emails: [{ value: access.user.email, type: "work", primary: true }],
    created: access.createdAt,
    lastModified: access.updatedAt,
    version: access.revision,
  };
}

function groupRecord(group: {
  id: string;
  displayName: string;
  externalId: string | null;
  memberIds: string[];
  createdAt: Date;
  updatedAt: Date;
  revision: number;
}): ScimGroupRecord {
  return {
    id: group.id,
    displayName: group.displayName,
    externalId: group.externalId,
    members: group.memberIds.map((value) => ({ value, display: null })),
    created: group.createdAt,
    lastModified: group.updatedAt,
    version: group.revision,
  };
}
