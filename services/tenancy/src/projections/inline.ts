import { TenancyEvent, type TenancyPayloads } from "@platform/contracts";
import { allTenantIds, enterTenant } from "@platform/database";
import type { InlineHandler, InlineHandlers } from "@platform/event-sourcing";
import { organizationState } from "../app/organizations";
import type { Tx } from "../app/tenant";
import { type DomainHistoryEvent, evolve as evolveDomainState } from "../domain/domains";
import { evolve, type GroupHistoryEvent, type GroupState, rebased } from "../domain/groups";
import { evolveHealthScore } from "../domain/health";
import { evolve as evolveInvitationState, type InvitationHistoryEvent } from "../domain/invitations";
import { evolve as evolveMembershipState, type MembershipHistoryEvent } from "../domain/membership";
import {
  evolve as evolveOrganizationState,
  type OrganizationHistoryEvent,
  type OrganizationState,
} from "../domain/organizations";
import { evolveAssignment } from "../domain/success-reps";
import { evolve as evolveTicketState, type TicketHistoryEvent } from "../domain/tickets";
import { type Group, Prisma } from "../generated/prisma/client";

/**
 * tenancy's own state tables as inline projections: run by the event store in the append's
 * transaction and by `rebuildInline` over `platform_events`. These handlers are the only writers of
 * the converted tables (src/tables.ts lists them, docs/tenancy.md what remains).
 *
 * Every handler first enters the event's tenant: in a command that is the tenant the transaction is
 * already in; in a rebuild, one transaction replays every tenant's events, and row-level security
 * would hide (and refuse) another tenant's rows otherwise. Times come from the event.
 */
function inTenantOf<Data>(handler: InlineHandler<Tx, Data>): InlineHandler<Tx, Data> {
  return async (tx, event) => {
    if (!event.tenantId) throw new Error(`${event.type} ${event.eventId} names no tenant`);
    await enterTenant(tx, event.tenantId);
    await handler(tx, event);
  };
}

const stateOf = (row: Group): GroupState => row;

/** Folds the event into the group's row with the domain's `evolve`, and writes the row. */
async function evolveGroup(tx: Tx, groupId: string, event: GroupHistoryEvent): Promise<GroupState> {
  const row = await tx.group.findUniqueOrThrow({ where: { id: groupId } });
  const next = evolve(stateOf(row), event);
  await tx.group.update({
    where: { id: groupId },
    data: {
      name: next.name,
      parentGroupId: next.parentGroupId,
      ancestorIds: next.ancestorIds,
      archivedAt: next.archivedAt,
      version: next.version,
    },
  });
  return next;
}

/** Folds the event into the ticket's row with the domain's `evolve`, and writes the row. */
async function evolveTicket(tx: Tx, ticketId: string, event: TicketHistoryEvent): Promise<void> {
  const {
    id: _id,
    accountId: _account,
    ...next
  } = evolveTicketState(await tx.ticket.findUniqueOrThrow({ where: { id: ticketId } }), event);
  await tx.ticket.update({ where: { id: ticketId }, data: next });
}

/** The state as the row's columns: a JSON column holds SQL NULL, never JSON null, when there is no address. */
function organizationRow(state: OrganizationState) {
  return {
    ...state,
    address: state.address ? { ...state.address } : Prisma.DbNull,
    settings: { ...state.settings },
  };
}

/** Folds the event into the organization's row with the domain's `evolve`, and writes the row. */
async function evolveOrganization(tx: Tx, event: OrganizationHistoryEvent): Promise<void> {
  const row = await tx.organization.findUniqueOrThrow({ where: { accountId: event.data.account_id } });
  const { accountId, ...next } = organizationRow(evolveOrganizationState(organizationState(row), event));
  await tx.organization.update({ where: { accountId }, data: next });
}

/** Folds the event into the membership's row: written, or deleted once the membership ended. */
async function evolveMembership(tx: Tx, event: MembershipHistoryEvent): Promise<void> {
  const key = { groupId_userId: { groupId: event.data.group_id, userId: event.data.user_id } };
  const row = await tx.membership.findUnique({ where: key });
  const next = evolveMembershipState(row, event);
  if (!next) await tx.membership.delete({ where: key });
  else if (row) await tx.membership.update({ where: key, data: next });
  else await tx.membership.create({ data: next });
}

/**
 * Folds the event into the domain's row, and keeps the platform-wide claim (`verified_domains`) to
 * match: written when verified, following auto_join, gone with the domain. A second organization's
 * claim on a verified name fails its unique index (the command answers domain_taken).
 */
async function evolveDomain(tx: Tx, event: DomainHistoryEvent): Promise<void> {
  const { domain_id: id, domain, account_id: accountId } = event.data;
  const row = await tx.domain.findUnique({ where: { id } });
  const next = evolveDomainState(row, event);
  if (!next) {
    await tx.domain.delete({ where: { id } });
    await tx.verifiedDomain.deleteMany({ where: { domain, accountId } });
    return;
  }
  if (!row) await tx.domain.create({ data: next });
  else await tx.domain.update({ where: { id }, data: next });
  if (next.verifiedAt && !row?.verifiedAt)
    await tx.verifiedDomain.create({ data: { domain, accountId, autoJoin: next.autoJoin } });
  else if (next.verifiedAt)
    await tx.verifiedDomain.updateMany({ where: { domain, accountId }, data: { autoJoin: next.autoJoin } });
}

/** Folds the event into the invitation's row with the domain's `evolve`, and writes the row. */
async function evolveInvitation(tx: Tx, event: InvitationHistoryEvent): Promise<void> {
  const id = event.data.invitation_id;
  const row = await tx.invitation.findUnique({ where: { id } });
  const next = evolveInvitationState(row, event);
  if (row) await tx.invitation.update({ where: { id }, data: next });
  else await tx.invitation.create({ data: next });
}

export const inlineHandlers: InlineHandlers<Tx, TenancyPayloads> = {
  [TenancyEvent.InvitationSent]: inTenantOf((tx, event) =>
    evolveInvitation(tx, { ...event, type: TenancyEvent.InvitationSent }),
  ),
  [TenancyEvent.InvitationResent]: inTenantOf((tx, event) =>
    evolveInvitation(tx, { ...event, type: TenancyEvent.InvitationResent }),
  ),
  [TenancyEvent.InvitationRevoked]: inTenantOf((tx, event) =>
    evolveInvitation(tx, { ...event, type: TenancyEvent.InvitationRevoked }),
  ),
  [TenancyEvent.InvitationAccepted]: inTenantOf((tx, event) =>
    evolveInvitation(tx, { ...event, type: TenancyEvent.InvitationAccepted }),
  ),
  // The assignment, and its rule's round-robin moved on by one (the cursor counts the rule's assignments).
  [TenancyEvent.SuccessRepAssigned]: inTenantOf(async (tx, event) => {
    const { accountId, ...assignment } = evolveAssignment(event);
    await tx.repAssignment.upsert({
      where: { accountId },
      create: { accountId, ...assignment },
      update: assignment,
    });
    await tx.repCursor.upsert({
      where: { ruleId: assignment.ruleId },
      create: { ruleId: assignment.ruleId, cursor: 1 },
      update: { cursor: { increment: 1 } },
    });
  }),
  // The score as the process decided it; a drop under the threshold only moves the version on.
  [TenancyEvent.HealthScoreCalculated]: inTenantOf(async (tx, event) => {
    const { accountId, ...score } = evolveHealthScore(event);
    await tx.healthScore.upsert({ where: { accountId }, create: { accountId, ...score }, update: score });
  }),
  [TenancyEvent.HealthScoreDropped]: inTenantOf(async (tx, event) => {
    await tx.healthScore.update({
      where: { accountId: event.data.account_id },
      data: { version: event.version },
    });
  }),
  [TenancyEvent.DomainAdded]: inTenantOf((tx, event) =>
    evolveDomain(tx, { ...event, type: TenancyEvent.DomainAdded }),
  ),
  [TenancyEvent.DomainVerified]: inTenantOf((tx, event) =>
    evolveDomain(tx, { ...event, type: TenancyEvent.DomainVerified }),
  ),
  [TenancyEvent.DomainAutoJoinChanged]: inTenantOf((tx, event) =>
    evolveDomain(tx, { ...event, type: TenancyEvent.DomainAutoJoinChanged }),
  ),
  [TenancyEvent.DomainRemoved]: inTenantOf((tx, event) =>
    evolveDomain(tx, { ...event, type: TenancyEvent.DomainRemoved }),
  ),
  [TenancyEvent.MemberAdded]: inTenantOf((tx, event) =>
    evolveMembership(tx, { ...event, type: TenancyEvent.MemberAdded }),
  ),
  [TenancyEvent.MemberRoleChanged]: inTenantOf((tx, event) =>
    evolveMembership(tx, { ...event, type: TenancyEvent.MemberRoleChanged }),
  ),
  [TenancyEvent.MemberRemoved]: inTenantOf((tx, event) =>
    evolveMembership(tx, { ...event, type: TenancyEvent.MemberRemoved }),
  ),
  [TenancyEvent.OrganizationCreated]: inTenantOf(async (tx, event) => {
    const organization = evolveOrganizationState(null, { ...event, type: TenancyEvent.OrganizationCreated });
    await tx.organization.create({ data: organizationRow(organization) });
    // Who created it, for identity's EmailVerified (a person, not an organization) to find it.
    await tx.organizationCreator.create({
      data: { userId: event.data.created_by_user_id, accountId: event.data.account_id },
    });
  }),
  [TenancyEvent.OrganizationUpdated]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OrganizationUpdated }),
  ),
  [TenancyEvent.OnboardingStarted]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OnboardingStarted }),
  ),
  [TenancyEvent.OnboardingItemCompleted]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OnboardingItemCompleted }),
  ),
  [TenancyEvent.OrganizationOnboarded]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OrganizationOnboarded }),
  ),
  [TenancyEvent.OrganizationActivated]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OrganizationActivated }),
  ),
  [TenancyEvent.OrganizationSuspended]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OrganizationSuspended }),
  ),
  [TenancyEvent.OrganizationReactivated]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OrganizationReactivated }),
  ),
  [TenancyEvent.OrganizationClosed]: inTenantOf((tx, event) =>
    evolveOrganization(tx, { ...event, type: TenancyEvent.OrganizationClosed }),
  ),

  [TenancyEvent.TicketOpened]: inTenantOf(async (tx, event) => {
    await tx.ticket.create({ data: evolveTicketState(null, { ...event, type: TenancyEvent.TicketOpened }) });
  }),
  [TenancyEvent.TicketUpdated]: inTenantOf((tx, event) =>
    evolveTicket(tx, event.aggregateId, { ...event, type: TenancyEvent.TicketUpdated }),
  ),
  [TenancyEvent.SlaWarning]: inTenantOf((tx, event) =>
    evolveTicket(tx, event.aggregateId, { ...event, type: TenancyEvent.SlaWarning }),
  ),
  [TenancyEvent.SlaBreached]: inTenantOf((tx, event) =>
    evolveTicket(tx, event.aggregateId, { ...event, type: TenancyEvent.SlaBreached }),
  ),
  [TenancyEvent.GroupCreated]: inTenantOf(async (tx, event) => {
    const group = evolve(null, { ...event, type: TenancyEvent.GroupCreated });
    await tx.group.create({ data: group });
  }),
  [TenancyEvent.GroupRenamed]: inTenantOf(async (tx, event) => {
    await evolveGroup(tx, event.aggregateId, { ...event, type: TenancyEvent.GroupRenamed });
  }),
  [TenancyEvent.GroupMoved]: inTenantOf(async (tx, event) => {
    const moved = await evolveGroup(tx, event.aggregateId, { ...event, type: TenancyEvent.GroupMoved });
    // The subtree moves with it: every descendant's ancestry changes by the same prefix. Derived from
    // the rows as the log left them at this position, so a replay in order writes the same.
    const descendants = await tx.group.findMany({
      where: { accountId: moved.accountId, ancestorIds: { has: moved.id } },
    });
    for (const child of descendants)
      await tx.group.update({
        where: { id: child.id },
        data: { ancestorIds: rebased(child.ancestorIds, moved.id, moved.ancestorIds) },
      });
  }),
  [TenancyEvent.GroupArchived]: inTenantOf(async (tx, event) => {
    await evolveGroup(tx, event.aggregateId, { ...event, type: TenancyEvent.GroupArchived });
    // The subtree the command saw active is archived with it, at the event's time.
    await tx.group.updateMany({
      where: { id: { in: event.data.archived_descendant_group_ids }, accountId: event.data.account_id },
      data: { archivedAt: event.occurredAt },
    });
  }),
};

/** The tables the inline handlers own, emptied tenant by tenant (row-level security) before a rebuild. */
export async function resetInline(tx: Tx): Promise<void> {
  // Not a tenant table: the rules' cursors, counted again from every tenant's assignments.
  await tx.repCursor.deleteMany();
  for (const accountId of await allTenantIds(tx)) {
    await enterTenant(tx, accountId);
    await tx.repAssignment.deleteMany({ where: { accountId } });
    await tx.healthScore.deleteMany({ where: { accountId } });
    await tx.membership.deleteMany({ where: { accountId } });
    await tx.invitation.deleteMany({ where: { accountId } });
    await tx.verifiedDomain.deleteMany({ where: { accountId } });
    await tx.domain.deleteMany({ where: { accountId } });
    await tx.organizationCreator.deleteMany({ where: { accountId } });
    await tx.organization.deleteMany({ where: { accountId } });
    await tx.group.deleteMany({ where: { accountId } });
    await tx.ticket.deleteMany({ where: { accountId } });
  }
}
