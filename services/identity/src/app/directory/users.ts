import { userNameKeyOf } from "../../domain/access";
import { IdentityEvent } from "../../domain/events";
import { decideProfileUpdate } from "../../domain/people";
import {
  applyUserPatch,
  matchesFilter,
  parseFilter,
  ScimError,
  type ScimFilter,
  type ScimPatchOperation,
  type ScimUserInput,
  type ScimUserRecord,
  toScimUser,
} from "../../scim";
import { memberElsewhere, membersOf, userNameTaken } from "../access";
import type { Db, RequestOrigin, Tx } from "../context";
import { personVersion } from "../person-state";
import type { Provisioning } from "../provisioning";
import type { SessionService } from "../sessions";
import type { ScimGroups } from "./groups";
import {
  type AccessWithUser,
  appendDirectoryEvent,
  type Directory,
  type DirectoryDeps,
  IN_USE,
  inDirectoryTransaction,
  loadAccess,
  loginEmailOf,
  userRecord,
} from "./shared";

/**
 * A directory's people: created (provisioned), replaced, patched, suspended and removed. People are
 * global, their access is per organization, so every read and write is scoped to the directory's
 * organization.
 */
export class ScimUsers {
  constructor(
    private readonly deps: DirectoryDeps,
    private readonly sessions: SessionService,
    private readonly provisioning: Provisioning,
    private readonly groups: ScimGroups,
  ) {}

  async getUser(directory: Directory, userId: string): Promise<ScimUserRecord> {
    return userRecord(await this.requireAccess(this.deps.db, directory, userId));
  }

  async listUsers(
    directory: Directory,
    filterText: string | undefined,
    baseUrl: string,
  ): Promise<ScimUserRecord[]> {
    const filter: ScimFilter | null = filterText ? parseFilter(filterText, "User") : null;
    const members = await membersOf(this.deps.db, directory.accountId);
    const users = await this.deps.db.user.findMany({ where: { id: { in: members.map((m) => m.userId) } } });
    const byId = new Map(users.map((user) => [user.id, user]));
    const rows = members.flatMap((access) => {
      const user = byId.get(access.userId);
      return user ? [{ ...access, user }] : [];
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
    return inDirectoryTransaction(this.deps.db, async (tx) => {
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
          userName: input.userName,
          connectionId: directory.tokenId,
          role: "member",
        },
        origin,
      );
      if (!provisioned.changed) throw ScimError.uniqueness(IN_USE);
      if (!input.active)
        await this.setActive(tx, directory, provisioned.userId, false, origin, {
          version: await personVersion(tx, provisioned.userId),
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
    return inDirectoryTransaction(this.deps.db, async (tx) =>
      this.saveUser(tx, directory, await this.requireAccess(tx, directory, userId), input, origin),
    );
  }

  async patchUser(
    directory: Directory,
    userId: string,
    operations: ScimPatchOperation[],
    origin: RequestOrigin,
  ): Promise<ScimUserRecord> {
    return inDirectoryTransaction(this.deps.db, async (tx) => {
      const access = await this.requireAccess(tx, directory, userId);
      return this.saveUser(tx, directory, access, applyUserPatch(userRecord(access), operations), origin);
    });
  }

  async deleteUser(directory: Directory, userId: string, origin: RequestOrigin): Promise<void> {
    await inDirectoryTransaction(this.deps.db, async (tx) => {
      const access = await this.requireAccess(tx, directory, userId);
      // First, at the version read: of two concurrent removals the store refuses the second.
      await appendDirectoryEvent(
        this.deps,
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
      await this.groups.removeFromGroups(tx, directory, userId, origin);
    });
  }

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
        email !== access.user.email && (await memberElsewhere(tx, userId, directory.accountId)),
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
      await appendDirectoryEvent(
        this.deps,
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
    // The directory's entry, at the person's version too: account_access is its projection.
    if (directoryChanged) {
      await appendDirectoryEvent(
        this.deps,
        tx,
        { type: "user", id: userId, tenantId: directory.accountId },
        IdentityEvent.DirectoryUserUpdated,
        {
          account_id: directory.accountId,
          user_id: userId,
          user_name: input.userName,
          external_id: input.externalId,
          changed_fields: [
            ...(input.userName !== access.userName ? ["user_name"] : []),
            ...(input.externalId !== access.externalId ? ["external_id"] : []),
          ],
        },
        origin,
        version,
      );
      version += 1;
    }
    if (input.active !== access.active)
      await this.setActive(tx, directory, userId, input.active, origin, { version });
    return userRecord(await this.requireAccess(tx, directory, userId));
  }

  /** active=false suspends the person in this organization and ends their sessions in it at once. */
  private async setActive(
    tx: Tx,
    directory: Directory,
    userId: string,
    active: boolean,
    origin: RequestOrigin,
    read: { version: number },
  ): Promise<void> {
    // account_access.active is the projection of the event (src/projections/access.ts).
    if (active) {
      await appendDirectoryEvent(
        this.deps,
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
    await appendDirectoryEvent(
      this.deps,
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

  private async requireAccess(
    client: Db | Tx,
    directory: Directory,
    userId: string,
  ): Promise<AccessWithUser> {
    const access = await loadAccess(client, directory, userId);
    if (!access) throw ScimError.notFound(`User ${userId} not found`);
    return access;
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
    if (await userNameTaken(tx, directory.accountId, userNameKeyOf(userName), exceptUserId))
      throw ScimError.uniqueness(`userName ${userName} is already taken in this directory`);
  }
}
