import { assertMayGrant, grantsBeyond, type Principal, type RoleCatalog } from "@platform/auth";
import type { TenancyPayloads } from "@platform/contracts";
import { ConflictError, PlatformError } from "@platform/errors";
import { type Decided, TenancyEvent } from "./events";

/**
 * How a person comes to belong to an organization. There is no way in without the person's consent
 * or the proof that the organization owns their address: an invitation they accept, the creator
 * becoming owner, domain auto-join at a verified domain, or provisioning by the organization's own
 * identity provider (SCIM, SAML, OIDC), which identity allows only for people it may vouch for.
 */
const PROVISIONING_SOURCES = ["scim", "saml", "oidc"] as const;
export type ProvisioningSource = (typeof PROVISIONING_SOURCES)[number];

/** Whether identity's user.provisioned came from a source tenancy turns into a membership. */
export function isProvisioningSource(source: string): source is ProvisioningSource {
  return PROVISIONING_SOURCES.some((known) => known === source);
}

export type AddRefusal = "not_an_organization_member" | "member_exists";

/**
 * Why an administrator may not add someone to the organization (groupIsAccount) or to one of its
 * groups, or null when they may. At the account level nobody can be added directly: a member is
 * already there, anyone else must be invited. Unknown ids and people of other organizations get the
 * same refusal, so the answer never tells whether an id exists.
 */
export function refusalToAdd(target: {
  groupIsAccount: boolean;
  isOrganizationMember: boolean;
}): AddRefusal | null {
  if (!target.isOrganizationMember) return "not_an_organization_member";
  return target.groupIsAccount ? "member_exists" : null;
}

/** Seats: organization members plus pending invitations, against the plan's user limit (-1 = unlimited). */
export function hasFreeSeat(usage: { limit: number; members: number; pending: number }): boolean {
  return usage.limit === -1 || usage.members + usage.pending < usage.limit;
}

/**
 * Nobody hands on a role holding more than they do (invitations, role changes), and nobody changes or
 * removes a member whose role holds more than they do: an admin cannot make an accomplice owner, nor
 * demote or remove an owner. Only organization-level roles grant anything (a team's role is a label).
 */
export function assertMayGiveRole(
  grantor: Principal,
  roles: RoleCatalog,
  accountId: string,
  role: string,
): void {
  assertMayGrant(grantor, roles.permissionsOf(accountId, role), `the role ${role}`);
}

export function assertMayManageHolderOf(
  grantor: Principal,
  roles: RoleCatalog,
  accountId: string,
  role: string,
): void {
  const missing = grantsBeyond(grantor.permissions, roles.permissionsOf(accountId, role));
  if (missing.length > 0)
    throw new PlatformError(
      "forbidden",
      "member_outranks_you",
      `a member with the role ${role} holds permissions you do not (${missing.join(", ")}): only someone who holds them all may change or remove them`,
      { details: { missing } },
    );
}

type MemberAdded = TenancyPayloads[typeof TenancyEvent.MemberAdded];
type MemberRoleChanged = TenancyPayloads[typeof TenancyEvent.MemberRoleChanged];
type MemberRemoved = TenancyPayloads[typeof TenancyEvent.MemberRemoved];

/**
 * The membership aggregate: one person in the organization (group_id = account_id) or in one group,
 * `${groupId}:${userId}` in the log. Pure rules, no I/O: `decide` turns a command and the state it
 * read into events, `evolve` folds an event into the state (the `memberships` row; null once removed).
 * Rules over several memberships (seats, the last owner) are the caller's, under the organization lock.
 */
export interface MembershipState {
  accountId: string;
  groupId: string;
  userId: string;
  role: string;
  source: string;
  createdAt: Date;
  /** The version of the membership's last event. */
  version: number;
}

/** `groupType`: the group's type as read ("account" for the organization itself). */
export type MembershipCommand =
  | {
      kind: "add";
      accountId: string;
      groupId: string;
      groupType: string;
      userId: string;
      role: string;
      source: string;
    }
  | { kind: "changeRole"; groupType: string; role: string }
  | { kind: "remove"; groupType: string; reason: string };

export type MembershipEvent =
  | { type: typeof TenancyEvent.MemberAdded; data: Decided<MemberAdded> }
  | { type: typeof TenancyEvent.MemberRoleChanged; data: Decided<MemberRoleChanged> }
  | { type: typeof TenancyEvent.MemberRemoved; data: Decided<MemberRemoved> };

/** A membership's id in the log. */
export const membershipId = (groupId: string, userId: string) => `${groupId}:${userId}`;

/** The events a command implies on the membership as read (null: the person is not a member there). */
export function decide(state: MembershipState | null, command: MembershipCommand): MembershipEvent[] {
  if (command.kind === "add") {
    if (state) throw new ConflictError("member_exists", `${command.userId} is already a member`);
    const { groupId, groupType, userId, role, source } = command;
    return [
      {
        type: TenancyEvent.MemberAdded,
        data: { user_id: userId, group_id: groupId, group_type: groupType, role, source },
      },
    ];
  }
  if (!state) throw new Error(`decide: ${command.kind} on a membership that does not exist`);
  const header = { user_id: state.userId, group_id: state.groupId, group_type: command.groupType };
  switch (command.kind) {
    case "changeRole":
      if (state.role === command.role) return [];
      return [
        {
          type: TenancyEvent.MemberRoleChanged,
          data: { ...header, previous_role: state.role, role: command.role },
        },
      ];
    case "remove":
      return [
        { type: TenancyEvent.MemberRemoved, data: { ...header, role: state.role, reason: command.reason } },
      ];
  }
}

/** A stored event of the membership: its payload, version and time. */
export type MembershipHistoryEvent = { version: number; occurredAt: Date } & (
  | { type: typeof TenancyEvent.MemberAdded; data: MemberAdded }
  | { type: typeof TenancyEvent.MemberRoleChanged; data: MemberRoleChanged }
  | { type: typeof TenancyEvent.MemberRemoved; data: MemberRemoved }
);

/** An event of the membership folded into its state; times come from the event, never the wall clock. */
export function evolve(state: MembershipState | null, event: MembershipHistoryEvent): MembershipState | null {
  if (event.type === TenancyEvent.MemberAdded) {
    const { data } = event;
    return {
      accountId: data.account_id,
      groupId: data.group_id,
      userId: data.user_id,
      role: data.role,
      source: data.source,
      createdAt: event.occurredAt,
      version: event.version,
    };
  }
  if (!state) throw new Error(`evolve: ${event.type} on a membership that does not exist`);
  switch (event.type) {
    case TenancyEvent.MemberRoleChanged:
      return { ...state, role: event.data.role, version: event.version };
    case TenancyEvent.MemberRemoved:
      return null;
  }
}
