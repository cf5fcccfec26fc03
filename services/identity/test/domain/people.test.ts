/** A person's rules, pure: what each of their events makes of them, and what a directory may change. */
import { IdentityEvent } from "../../src/domain/events";
import {
  decideProfileUpdate,
  evolvePerson,
  type PersonEvent,
  type PersonState,
} from "../../src/domain/people";

const actor = { type: "user", id: "usr_1", ip_address: null, user_agent: null };
const t0 = new Date("2026-11-30T10:00:00.000Z");
const t1 = new Date("2026-11-30T11:00:00.000Z");

const signedUp = (emailVerified: boolean): PersonEvent => ({
  type: IdentityEvent.UserSignedUp,
  version: 1,
  occurredAt: t0,
  data: {
    account_id: null,
    user_id: "usr_1",
    email: "ann@example.com",
    given_name: "Ann",
    family_name: null,
    display_name: null,
    signup_source: "web",
    email_verified: emailVerified,
    occurred_at: t0.getTime(),
    actor,
  },
});

const ann: PersonState = {
  id: "usr_1",
  email: "ann@example.com",
  emailVerifiedAt: null,
  givenName: "Ann",
  familyName: null,
  displayName: null,
  createdAt: t0,
  updatedAt: t0,
  version: 1,
};

describe("evolvePerson", () => {
  it("creates the person from their sign-up, verified only when an invitation proved the address", () => {
    expect(evolvePerson(null, signedUp(false))).toEqual(ann);
    expect(evolvePerson(null, signedUp(true)).emailVerifiedAt).toEqual(t0);
  });

  it("creates a provisioned person verified, and only moves the version of one already known", () => {
    const provisioned = (created: boolean): PersonEvent => ({
      type: IdentityEvent.UserProvisioned,
      version: created ? 1 : 2,
      occurredAt: t1,
      data: {
        account_id: "org_1",
        user_id: "usr_1",
        email: "ann@acme.test",
        given_name: "Ann",
        family_name: "Lee",
        display_name: null,
        source: "scim",
        external_id: null,
        user_name: null,
        connection_id: null,
        role: "member",
        created,
        occurred_at: t1.getTime(),
        actor,
      },
    });
    expect(evolvePerson(null, provisioned(true))).toMatchObject({
      email: "ann@acme.test",
      emailVerifiedAt: t1,
    });
    expect(evolvePerson(ann, provisioned(false))).toEqual({ ...ann, version: 2 });
  });

  it("applies a profile update and a verification at the event's time, not the reader's", () => {
    const updated = evolvePerson(ann, {
      type: IdentityEvent.UserProfileUpdated,
      version: 2,
      occurredAt: t1,
      data: {
        account_id: "org_1",
        user_id: "usr_1",
        email: "ann.lee@example.com",
        given_name: "Ann",
        family_name: "Lee",
        display_name: "Ann Lee",
        occurred_at: t1.getTime(),
        actor,
      },
    });
    expect(updated).toEqual({
      ...ann,
      email: "ann.lee@example.com",
      familyName: "Lee",
      displayName: "Ann Lee",
      updatedAt: t1,
      version: 2,
    });
    const verified = evolvePerson(ann, {
      type: IdentityEvent.EmailVerified,
      version: 2,
      occurredAt: t1,
      data: { user_id: "usr_1", email: ann.email, occurred_at: t1.getTime(), actor },
    });
    expect([verified.emailVerifiedAt, verified.version]).toEqual([t1, 2]);
  });

  it("counts a password reset as proof of the address once, and any other event only as a version", () => {
    const reset = (version: number): PersonEvent => ({
      type: IdentityEvent.PasswordChanged,
      version,
      occurredAt: t1,
      data: { user_id: "usr_1", method: "reset", sessions_revoked: 0, occurred_at: t1.getTime(), actor },
    });
    expect(evolvePerson(ann, reset(2)).emailVerifiedAt).toEqual(t1);
    const verifiedBefore = { ...ann, emailVerifiedAt: t0 };
    expect(evolvePerson(verifiedBefore, reset(2))).toEqual({ ...verifiedBefore, version: 2 });
    const signedIn = evolvePerson(ann, {
      type: IdentityEvent.UserSignedIn,
      version: 7,
      occurredAt: t1,
      data: {
        account_id: null,
        user_id: "usr_1",
        session_id: "ses_1",
        method: "password",
        occurred_at: t1.getTime(),
        actor,
      },
    });
    expect(signedIn).toEqual({ ...ann, version: 7 });
  });

  it("refuses a log that does not add up: an event before the person exists, a second sign-up", () => {
    expect(() =>
      evolvePerson(null, {
        type: IdentityEvent.EmailVerified,
        version: 1,
        occurredAt: t1,
        data: { user_id: "usr_9", email: "x@example.com", occurred_at: t1.getTime(), actor },
      }),
    ).toThrow(/does not exist/);
    expect(() => evolvePerson(ann, signedUp(false))).toThrow(/exists already/);
  });
});

describe("decideProfileUpdate", () => {
  const same = { email: ann.email, givenName: "Ann", familyName: null, displayName: null };
  const owns = { memberElsewhere: false, directoryOwnsPerson: true };

  it.each([
    [
      "nothing changed, even for a directory that owns nothing",
      same,
      { ...owns, directoryOwnsPerson: false },
      { outcome: "unchanged" },
    ],
    [
      "a new name from the directory that owns the person",
      { ...same, familyName: "Lee" },
      owns,
      { outcome: "updated", profile: { ...same, familyName: "Lee" } },
    ],
    [
      "a new name from a directory that does not own the person",
      { ...same, familyName: "Lee" },
      { ...owns, directoryOwnsPerson: false },
      { outcome: "refused", reason: "not_owned" },
    ],
    [
      "a new address for a person other organizations know by it",
      { ...same, email: "a@acme.test" },
      { ...owns, memberElsewhere: true },
      { outcome: "refused", reason: "shared_login" },
    ],
    [
      "a new address for a person only this directory knows",
      { ...same, email: "a@acme.test" },
      owns,
      { outcome: "updated", profile: { ...same, email: "a@acme.test" } },
    ],
  ])("%s", (_, proposed, context, decision) => {
    expect(decideProfileUpdate(ann, proposed, context)).toEqual(decision);
  });
});
