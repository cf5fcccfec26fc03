import type { IdentityPayloads } from "@platform/contracts";
import { IdentityEvent } from "./events";

/**
 * A person as identity keeps them (the `users` row): global, the same in every organization. It is
 * the state of the person's aggregate (id = the user id), so `version` is the person's last event:
 * what a command on the person appends after. The password hash is not part of it (secret store).
 */
export interface PersonState {
  id: string;
  email: string;
  emailVerifiedAt: Date | null;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** The event types appended to a person's aggregate: each one moves the person's version. */
export const PERSON_EVENTS = [
  IdentityEvent.UserSignedUp,
  IdentityEvent.UserProvisioned,
  IdentityEvent.EmailVerified,
  IdentityEvent.UserProfileUpdated,
  IdentityEvent.PasswordResetRequested,
  IdentityEvent.PasswordChanged,
  IdentityEvent.UserSignedIn,
  IdentityEvent.UserSignedOut,
  IdentityEvent.AccountSwitched,
  IdentityEvent.UserJoined,
  IdentityEvent.UserDeactivated,
  IdentityEvent.UserReactivated,
  IdentityEvent.UserRemoved,
  IdentityEvent.DirectoryUserUpdated,
] as const;

export type PersonEventType = (typeof PERSON_EVENTS)[number];

/** One of the person's events as the store hands it over (its payload, version and time). */
export type PersonEvent = {
  [Type in PersonEventType]: { type: Type; version: number; occurredAt: Date; data: IdentityPayloads[Type] };
}[PersonEventType];

/**
 * The person after one of their events. Only the events that say who the person is change the
 * profile; every other one (a sign-in, a membership change) only moves the version. Times come from
 * the event, so a replay gives what the live run gave.
 */
export function evolvePerson(state: PersonState | null, event: PersonEvent): PersonState {
  const at = event.occurredAt;
  if (event.type === IdentityEvent.UserSignedUp || (event.type === IdentityEvent.UserProvisioned && !state)) {
    if (state) throw new Error(`person ${state.id} exists already (version ${state.version})`);
    const { data } = event;
    // An invitation's secret (sign-up) or the organization's identity provider (provisioning) proved the address.
    const verified = event.type === IdentityEvent.UserProvisioned || event.data.email_verified;
    return {
      id: data.user_id,
      email: data.email,
      emailVerifiedAt: verified ? at : null,
      givenName: data.given_name,
      familyName: data.family_name,
      displayName: data.display_name,
      createdAt: at,
      updatedAt: at,
      version: event.version,
    };
  }
  if (!state) throw new Error(`${event.type} for person ${event.data.user_id}, who does not exist`);
  const next = { ...state, version: event.version };
  switch (event.type) {
    case IdentityEvent.EmailVerified:
      return { ...next, emailVerifiedAt: at, updatedAt: at };
    case IdentityEvent.UserProfileUpdated: {
      const { data } = event;
      return {
        ...next,
        email: data.email,
        givenName: data.given_name,
        familyName: data.family_name,
        displayName: data.display_name,
        updatedAt: at,
      };
    }
    // The reset link reached the address, which proves it as well as our own link would.
    case IdentityEvent.PasswordChanged:
      return event.data.method === "reset" && !state.emailVerifiedAt
        ? { ...next, emailVerifiedAt: at, updatedAt: at }
        : next;
    default:
      return next;
  }
}

/** A profile a directory (SCIM) asserts for a person. */
export interface ProposedProfile {
  email: string;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
}

export type ProfileDecision =
  | { outcome: "unchanged" }
  | { outcome: "updated"; profile: ProposedProfile }
  /** `shared_login`: the address would change for a person other organizations know by it. */
  | { outcome: "refused"; reason: "shared_login" | "not_owned" };

/**
 * Whether an organization's directory may change a person's global profile. A person is global: one
 * organization must not change how they sign in to another's, and may change their names and address
 * at all only for people it provisioned at its own verified domains (ownership.ts decides that part).
 */
export function decideProfileUpdate(
  person: Pick<PersonState, "email" | "givenName" | "familyName" | "displayName">,
  proposed: ProposedProfile,
  context: { memberElsewhere: boolean; directoryOwnsPerson: boolean },
): ProfileDecision {
  const emailChanged = proposed.email !== person.email;
  const changed =
    emailChanged ||
    proposed.givenName !== person.givenName ||
    proposed.familyName !== person.familyName ||
    proposed.displayName !== person.displayName;
  if (!changed) return { outcome: "unchanged" };
  if (emailChanged && context.memberElsewhere) return { outcome: "refused", reason: "shared_login" };
  if (!context.directoryOwnsPerson) return { outcome: "refused", reason: "not_owned" };
  return { outcome: "updated", profile: proposed };
}
