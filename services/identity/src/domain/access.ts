import { IdentityEvent } from "./events";
import type { PersonEvent } from "./people";

/**
 * identity's own facts about one person's access to one organization (the `account_access` row):
 * what identity granted (provisioning, an invitation) and what the organization's directory keeps on
 * the person there (userName, externalId, active). tenancy's facts (role changes, removals) are
 * another table's (account_memberships); the two are read together (src/app/access.ts).
 */
export interface AccessState {
  userId: string;
  accountId: string;
  /** The role identity granted; null when the access rests on tenancy's membership alone. */
  role: string | null;
  grantedAt: Date | null;
  active: boolean;
  externalId: string | null;
  userName: string | null;
  userNameKey: string | null;
  source: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Counts identity's changes: part of the SCIM ETag. */
  revision: number;
  /** A directory removed the person: the row stays as a tombstone until identity grants again. */
  removedAt: Date | null;
}

/** userName lower-cased: SCIM's userName is caseExact false (RFC 7643 §4.1.1), so uniqueness ignores case. */
export const userNameKeyOf = (userName: string) => userName.toLowerCase();

/** The events of a person's aggregate that change their access in the organization they name. */
export const ACCESS_EVENTS = [
  IdentityEvent.UserProvisioned,
  IdentityEvent.UserJoined,
  IdentityEvent.DirectoryUserUpdated,
  IdentityEvent.UserDeactivated,
  IdentityEvent.UserReactivated,
  IdentityEvent.UserRemoved,
  IdentityEvent.UserProfileUpdated,
] as const;

export type AccessEvent = Extract<PersonEvent, { type: (typeof ACCESS_EVENTS)[number] }>;

export const isAccessEvent = (event: PersonEvent): event is AccessEvent =>
  (ACCESS_EVENTS as readonly string[]).includes(event.type);

/** A fresh grant: everything the organization knew of the person before is gone. */
function granted(
  event: AccessEvent,
  values: Pick<AccessState, "role" | "source" | "externalId" | "userName">,
): AccessState {
  const at = event.occurredAt;
  return {
    userId: event.data.user_id,
    accountId: event.data.account_id as string,
    ...values,
    userNameKey: values.userName === null ? null : userNameKeyOf(values.userName),
    grantedAt: at,
    active: true,
    createdAt: at,
    updatedAt: at,
    revision: 1,
    removedAt: null,
  };
}

/**
 * The access after one of the person's events, or the state unchanged (null stays null) when the event
 * says nothing about access in an organization. A directory may keep attributes of a person whose
 * access identity never granted (an organization's owner, added by tenancy): their row starts at
 * revision 1 without a role. Times come from the event, so a replay gives what the live run gave.
 */
export function evolveAccess(state: AccessState | null, event: AccessEvent): AccessState | null {
  const at = event.occurredAt;
  const accountId = event.data.account_id;
  if (!accountId) return state;
  const live = state && !state.removedAt ? state : null;
  const changed = (values: Partial<AccessState>): AccessState => {
    const base: AccessState = live ?? {
      userId: event.data.user_id,
      accountId,
      role: null,
      grantedAt: null,
      active: true,
      externalId: null,
      userName: null,
      userNameKey: null,
      source: null,
      createdAt: at,
      updatedAt: at,
      revision: 1,
      removedAt: null,
    };
    return { ...base, ...values, updatedAt: at, revision: base.revision + 1 };
  };
  switch (event.type) {
    // Provisioning happens only where the person has no access: it starts afresh.
    case IdentityEvent.UserProvisioned:
      return granted(event, {
        role: event.data.role,
        source: event.data.source,
        externalId: event.data.external_id,
        userName: event.data.user_name ?? null,
      });
    // Accepting an invitation restores a suspended person, keeping what the directory knows of them.
    case IdentityEvent.UserJoined:
      if (!live)
        return granted(event, {
          role: event.data.role,
          source: "invitation",
          externalId: null,
          userName: null,
        });
      return {
        ...changed({ role: event.data.role, active: true, grantedAt: at }),
        source: live.source ?? "invitation",
      };
    case IdentityEvent.DirectoryUserUpdated: {
      const { user_name: userName, external_id: externalId } = event.data;
      return changed({
        userName,
        userNameKey: userName === null ? null : userNameKeyOf(userName),
        externalId,
      });
    }
    case IdentityEvent.UserDeactivated:
      return changed({ active: false });
    case IdentityEvent.UserReactivated:
      return changed({ active: true });
    // A directory's removal: the person's attributes go (their userName is free again), the tombstone stays.
    case IdentityEvent.UserRemoved:
      return {
        ...(live ?? changed({})),
        role: null,
        grantedAt: null,
        active: true,
        externalId: null,
        userName: null,
        userNameKey: null,
        updatedAt: at,
        removedAt: at,
      };
    // The SCIM record shows the profile, so its ETag moves with it; only rows already there.
    case IdentityEvent.UserProfileUpdated:
      return live ? { ...live, updatedAt: at, revision: live.revision + 1 } : state;
  }
}
