/**
 * Seats, as tenancy counts them (docs/tenancy.md): the organization's members plus its pending,
 * unexpired invitations, against the plan's user limit (-1 = unlimited). identity asks before its
 * identity providers (SCIM, SAML, OIDC) give someone access, from the same facts projected from
 * tenancy's and billing's events.
 */
export interface SeatUsage {
  limit: number;
  members: number;
  pendingInvitations: number;
}

export function hasFreeSeat(usage: SeatUsage): boolean {
  return usage.limit === -1 || usage.members + usage.pendingInvitations < usage.limit;
}

/** What a directory administrator reads when provisioning is refused for want of a seat. */
export function seatLimitDetail(usage: SeatUsage): string {
  return (
    `seat limit reached: the plan allows ${usage.limit} users and ${usage.members} members plus ` +
    `${usage.pendingInvitations} pending invitations hold them; remove someone or raise the plan's limit`
  );
}
