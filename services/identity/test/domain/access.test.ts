/** identity's half of a person's access, pure: what each of the person's events makes of it. */
import { type AccessEvent, type AccessState, evolveAccess } from "../../src/domain/access";
import { IdentityEvent } from "../../src/domain/events";

const actor = { type: "scim", id: "scimtok_1", ip_address: null, user_agent: null };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));
const person = { account_id: "org_1", user_id: "usr_1" };

const provisioned = (minute: number, userName: string | null): AccessEvent => ({
  type: IdentityEvent.UserProvisioned,
  version: 1,
  occurredAt: at(minute),
  data: {
    ...person,
    email: "pat@acme.test",
    given_name: null,
    family_name: null,
    display_name: null,
    source: "scim",
    external_id: "ext-1",
    user_name: userName,
    connection_id: "scimtok_1",
    role: "member",
    created: true,
    occurred_at: at(minute).getTime(),
    actor,
  },
});
const renamed = (minute: number, userName: string, externalId: string | null): AccessEvent => ({
  type: IdentityEvent.DirectoryUserUpdated,
  version: 2,
  occurredAt: at(minute),
  data: {
    ...person,
    user_name: userName,
    external_id: externalId,
    changed_fields: ["user_name"],
    occurred_at: at(minute).getTime(),
    actor,
  },
});
const suspended = (minute: number): AccessEvent => ({
  type: IdentityEvent.UserDeactivated,
  version: 3,
  occurredAt: at(minute),
  data: { ...person, source: "scim", sessions_revoked: 0, occurred_at: at(minute).getTime(), actor },
});
const removed = (minute: number): AccessEvent => ({
  type: IdentityEvent.UserRemoved,
  version: 4,
  occurredAt: at(minute),
  data: { ...person, source: "scim", occurred_at: at(minute).getTime(), actor },
});
const joined = (minute: number): AccessEvent => ({
  type: IdentityEvent.UserJoined,
  version: 5,
  occurredAt: at(minute),
  data: {
    ...person,
    email: "pat@acme.test",
    invitation_id: "inv_1",
    role: "admin",
    group_id: null,
    occurred_at: at(minute).getTime(),
    actor,
  },
});

const apply = (events: AccessEvent[], state: AccessState | null = null) =>
  events.reduce<AccessState | null>(evolveAccess, state);

it("grants on provisioning with the directory's userName, its key lower-cased", () => {
  expect(apply([provisioned(0, "Pat.Lee")])).toMatchObject({
    role: "member",
    grantedAt: at(0),
    userName: "Pat.Lee",
    userNameKey: "pat.lee",
    externalId: "ext-1",
    source: "scim",
    active: true,
    revision: 1,
    createdAt: at(0),
    removedAt: null,
  });
});

it("moves the revision on each change the directory makes, with the event's time", () => {
  expect(apply([provisioned(0, "pat"), renamed(1, "PAT.L", "ext-2"), suspended(2)])).toMatchObject({
    userName: "PAT.L",
    userNameKey: "pat.l",
    externalId: "ext-2",
    active: false,
    revision: 3,
    updatedAt: at(2),
    createdAt: at(0),
  });
});

it("keeps a tombstone on removal that frees the userName, and a new grant starts afresh", () => {
  const gone = apply([provisioned(0, "pat"), suspended(1), removed(2)]);
  expect(gone).toMatchObject({
    removedAt: at(2),
    userName: null,
    userNameKey: null,
    grantedAt: null,
    role: null,
  });
  expect(apply([provisioned(3, "pat2")], gone)).toMatchObject({
    removedAt: null,
    userName: "pat2",
    active: true,
    revision: 1,
    createdAt: at(3),
  });
});

it("restores a suspended person who accepts an invitation, keeping what the directory knows", () => {
  expect(apply([provisioned(0, "pat"), suspended(1), joined(2)])).toMatchObject({
    role: "admin",
    grantedAt: at(2),
    active: true,
    userName: "pat",
    source: "scim",
    revision: 3,
  });
});

it("keeps a directory's attributes of a person identity never granted, without a role", () => {
  expect(apply([renamed(0, "owner", null)])).toMatchObject({
    role: null,
    grantedAt: null,
    userName: "owner",
    revision: 2,
  });
});

it("leaves access alone for an event outside any organization", () => {
  const ownProfile: AccessEvent = {
    type: IdentityEvent.UserProfileUpdated,
    version: 2,
    occurredAt: at(1),
    data: {
      account_id: null,
      user_id: "usr_1",
      email: "pat@acme.test",
      given_name: "Pat",
      family_name: null,
      display_name: null,
      occurred_at: at(1).getTime(),
      actor,
    },
  };
  const granted = apply([provisioned(0, "pat")]);
  expect(evolveAccess(granted, ownProfile)).toBe(granted);
});
