import { assertMayGrant, grantsBeyond, type Principal, type RoleCatalog } from "@platform/auth";
import { PlatformError } from "@platform/errors";

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
