import { isUniqueViolation } from "@platform/database";
import { ConcurrencyConflictError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { normalizeEmail } from "../../domain/secrets";
import type { User } from "../../generated/prisma/client";
import { ScimError, type ScimGroupRecord, type ScimUserInput, type ScimUserRecord } from "../../scim";
import { type Access, accessOf } from "../access";
import { appendEvents, type Clock, type Db, type RequestOrigin, type Tx } from "../context";

/** The SCIM directory of one organization, as its bearer token identifies it. */
export interface Directory {
  accountId: string;
  tokenId: string;
}

/** What the directory's use cases share: the database, the store and the clock. */
export interface DirectoryDeps {
  db: Db;
  store: EventStore;
  clock: Clock;
}

/** A person's access to the directory's organization, with the person. */
export type AccessWithUser = Access & { user: User };

/** One answer for every clash over a person, so it never tells where else an address is in use. */
export const IN_USE = "userName or e-mail address is already in use";

export function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Appends one event of a directory's aggregate, stamped with the clock's time and the origin's actor. */
export async function appendDirectoryEvent(
  deps: DirectoryDeps,
  tx: Tx,
  aggregate: { type: string; id: string; tenantId: string },
  type: string,
  data: Record<string, unknown>,
  origin: RequestOrigin,
  /** The version decided on: the group's revision, the token's version, or the person's version (users). */
  expectedVersion: number,
): Promise<void> {
  await appendEvents(
    deps.store,
    tx,
    aggregate,
    [{ type, data: { ...data, occurred_at: deps.clock.now().getTime(), actor: origin.actor } }],
    origin.actor,
    expectedVersion,
  );
}

/** Duplicate userNames or addresses racing each other end as 409, as SCIM clients expect. */
export async function inDirectoryTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.$transaction(work);
  } catch (error) {
    // A conflict's cause is the store's unique index; it is a concurrent change, not a taken name.
    if (error instanceof ConcurrencyConflictError) throw error;
    if (isUniqueViolation(error)) throw ScimError.uniqueness(IN_USE);
    throw error;
  }
}

export async function loadAccess(
  client: Db | Tx,
  directory: Directory,
  userId: string,
): Promise<AccessWithUser | null> {
  const access = await accessOf(client, userId, directory.accountId);
  if (!access) return null;
  return { ...access, user: await client.user.findUniqueOrThrow({ where: { id: userId } }) };
}

/** The person's sign-in address: their primary e-mail, else the first, else a userName that is an address. */
export function loginEmailOf(input: ScimUserInput): string {
  const candidate = input.emails.find((e) => e.primary)?.value ?? input.emails[0]?.value ?? input.userName;
  try {
    return normalizeEmail(candidate);
  } catch {
    throw ScimError.invalidValue("a user needs an e-mail address (emails, or a userName that is one)");
  }
}

export function userRecord(access: AccessWithUser): ScimUserRecord {
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

export function groupRecord(group: {
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
