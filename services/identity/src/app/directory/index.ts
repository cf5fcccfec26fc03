import type { Principal } from "@platform/auth";
import type { EventStore } from "@platform/event-sourcing";
import type {
  ScimGroupInput,
  ScimGroupRecord,
  ScimPatchOperation,
  ScimUserInput,
  ScimUserRecord,
} from "../../scim";
import type { Clock, Db, RequestOrigin } from "../context";
import type { Credentials } from "../credentials";
import type { Provisioning } from "../provisioning";
import type { SessionService } from "../sessions";
import { ScimGroups } from "./groups";
import type { Directory } from "./shared";
import { ScimTokens } from "./tokens";
import { ScimUsers } from "./users";

export type { Directory } from "./shared";

/**
 * SCIM 2.0 provisioning: an organization's directory (Okta, Entra, ...) creates, updates, suspends
 * and removes its people and groups. One module per use case (tokens.ts, users.ts, groups.ts); this
 * class is the one entry the routes and the service hold.
 */
export class DirectoryService {
  private readonly tokens: ScimTokens;
  private readonly users: ScimUsers;
  private readonly groups: ScimGroups;

  constructor(
    db: Db,
    store: EventStore,
    sessions: SessionService,
    credentials: Credentials,
    clock: Clock,
    provisioning: Provisioning,
  ) {
    const deps = { db, store, clock };
    this.tokens = new ScimTokens(deps, credentials);
    this.groups = new ScimGroups(deps);
    this.users = new ScimUsers(deps, sessions, provisioning, this.groups);
  }

  // ---- tokens ----

  issueToken(accountId: string, principal: Principal, origin: RequestOrigin) {
    return this.tokens.issueToken(accountId, principal, origin);
  }

  revokeToken(accountId: string, tokenId: string, origin: RequestOrigin): Promise<void> {
    return this.tokens.revokeToken(accountId, tokenId, origin);
  }

  authenticate(authorization: string | undefined): Promise<Directory> {
    return this.tokens.authenticate(authorization);
  }

  // ---- users ----

  getUser(directory: Directory, userId: string): Promise<ScimUserRecord> {
    return this.users.getUser(directory, userId);
  }

  listUsers(directory: Directory, filter: string | undefined, baseUrl: string): Promise<ScimUserRecord[]> {
    return this.users.listUsers(directory, filter, baseUrl);
  }

  createUser(directory: Directory, input: ScimUserInput, origin: RequestOrigin): Promise<ScimUserRecord> {
    return this.users.createUser(directory, input, origin);
  }

  replaceUser(
    directory: Directory,
    userId: string,
    input: ScimUserInput,
    origin: RequestOrigin,
  ): Promise<ScimUserRecord> {
    return this.users.replaceUser(directory, userId, input, origin);
  }

  patchUser(
    directory: Directory,
    userId: string,
    operations: ScimPatchOperation[],
    origin: RequestOrigin,
  ): Promise<ScimUserRecord> {
    return this.users.patchUser(directory, userId, operations, origin);
  }

  deleteUser(directory: Directory, userId: string, origin: RequestOrigin): Promise<void> {
    return this.users.deleteUser(directory, userId, origin);
  }

  // ---- groups ----

  getGroup(directory: Directory, groupId: string): Promise<ScimGroupRecord> {
    return this.groups.getGroup(directory, groupId);
  }

  listGroups(directory: Directory, filter: string | undefined, baseUrl: string): Promise<ScimGroupRecord[]> {
    return this.groups.listGroups(directory, filter, baseUrl);
  }

  createGroup(directory: Directory, input: ScimGroupInput, origin: RequestOrigin): Promise<ScimGroupRecord> {
    return this.groups.createGroup(directory, input, origin);
  }

  replaceGroup(
    directory: Directory,
    groupId: string,
    input: ScimGroupInput,
    origin: RequestOrigin,
  ): Promise<ScimGroupRecord> {
    return this.groups.replaceGroup(directory, groupId, input, origin);
  }

  patchGroup(
    directory: Directory,
    groupId: string,
    operations: ScimPatchOperation[],
    origin: RequestOrigin,
  ): Promise<ScimGroupRecord> {
    return this.groups.patchGroup(directory, groupId, operations, origin);
  }

  deleteGroup(directory: Directory, groupId: string, origin: RequestOrigin): Promise<void> {
    return this.groups.deleteGroup(directory, groupId, origin);
  }
}
