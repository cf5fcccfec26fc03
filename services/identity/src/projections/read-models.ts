import {
  BillingEvent,
  type BillingPayloads,
  type IdentityPayloads,
  latestSchemasOf,
  loadContracts,
  type PlanSnapshot,
  SCHEMAS_ROOT,
  TenancyEvent,
  type TenancyPayloads,
} from "@platform/contracts";
import { type EventHandler, handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import type { Tx } from "../app/context";
import type { Credentials } from "../app/credentials";
import { type Actor, IdentityEvent, identitySchemas } from "../domain/events";

const contracts = loadContracts(SCHEMAS_ROOT);
const tenancySchemas = latestSchemasOf(contracts, "tenancy.events");
const billingSchemas = latestSchemasOf(contracts, "billing.events");

/** The reader schema the projector decodes each event type with. */
export const readerSchemas = { ...identitySchemas, ...tenancySchemas, ...billingSchemas };

/**
 * Every identity event that happened in an organization becomes one audit entry: who (actor),
 * what (event type), when, from where, on what (the aggregate). The event id is the key, so
 * applying an event twice would fail rather than list it twice.
 */
const auditEntry: EventHandler<
  Tx,
  { account_id?: string | null; actor: Actor; occurred_at: number }
> = async (tx, event) => {
  const { data } = event;
  if (!data.account_id) return;
  await tx.auditEntry.create({
    data: {
      eventId: event.eventId,
      accountId: data.account_id,
      action: event.type.replace(/^platform\.identity\./, ""),
      actorType: data.actor.type,
      actorId: data.actor.id,
      ipAddress: data.actor.ip_address,
      userAgent: data.actor.user_agent,
      targetId: event.aggregateId,
      occurredAt: new Date(data.occurred_at),
    },
  });
};

// Membership of a workspace, project or team does not change what a person may do in the organization.
const isAccountLevel = (data: { group_type: string }) => data.group_type === "account";

/**
 * tenancy owns organization membership; identity keeps the role each person has there, to put it in
 * tokens, in account_memberships (this projector its only writer; identity's own grants are
 * account_access, and code reads both through the view account_members, src/app/access.ts). Times are
 * the events'. A role changed or a membership ended revokes the tokens that carry the old one (and
 * narrows the person's API keys): keyed by the event, so a replay revokes nothing twice.
 */
const memberHandlers = handlersFor<TenancyPayloads>()<Tx>({
  [TenancyEvent.MemberAdded]: async (tx, event) => {
    const { data } = event;
    if (!isAccountLevel(data)) return;
    const at = new Date(data.occurred_at);
    const where = { userId_accountId: { userId: data.user_id, accountId: data.account_id } };
    const membership = await tx.accountMembership.findUnique({ where });
    const added = {
      role: data.role,
      source: data.source,
      addedAt: at,
      roleSetAt: at,
      removedAt: null,
      updatedAt: at,
    };
    if (!membership) {
      await tx.accountMembership.create({ data: { ...where.userId_accountId, ...added } });
      return;
    }
    if (membership.removedAt) {
      await tx.accountMembership.update({ where, data: added });
      return;
    }
    // Usually identity granted the access itself (invitation, provisioning) and tenancy echoes it;
    // what a directory changed since (a suspension) is identity's row, which this leaves alone.
    if (membership.role !== data.role)
      await tx.accountMembership.update({
        where,
        data: { role: data.role, roleSetAt: at, roleChanges: { increment: 1 }, updatedAt: at },
      });
  },
  [TenancyEvent.MemberRoleChanged]: async (tx, event) => {
    const { data } = event;
    if (!isAccountLevel(data)) return;
    const at = new Date(data.occurred_at);
    const key = { userId: data.user_id, accountId: data.account_id };
    await tx.accountMembership.upsert({
      where: { userId_accountId: key },
      create: { ...key, role: data.role, source: "admin", addedAt: at, roleSetAt: at, updatedAt: at },
      update: { role: data.role, roleSetAt: at, roleChanges: { increment: 1 }, updatedAt: at },
    });
  },
  [TenancyEvent.MemberRemoved]: async (tx, event) => {
    const { data } = event;
    if (!isAccountLevel(data)) return;
    const at = new Date(data.occurred_at);
    const key = { userId: data.user_id, accountId: data.account_id };
    // A tombstone: identity's grant from before it no longer counts (the view account_members).
    const membership = await tx.accountMembership.findUnique({ where: { userId_accountId: key } });
    if (membership)
      await tx.accountMembership.update({
        where: { userId_accountId: key },
        data: { removedAt: at, updatedAt: at },
      });
    else
      await tx.accountMembership.create({
        data: {
          ...key,
          role: "member",
          source: "admin",
          addedAt: at,
          roleSetAt: at,
          removedAt: at,
          updatedAt: at,
        },
      });
  },
});

/**
 * A role changed or a membership ended revokes the tokens that carry the old one (and narrows the
 * person's API keys): keyed by the event, so a redelivery revokes nothing twice. These append events,
 * so they are a process, never replayed by a rebuild (see processHandlers).
 */
const revocationHandlers = (credentials: Credentials) =>
  handlersFor<TenancyPayloads>()<Tx>({
    [TenancyEvent.MemberRoleChanged]: async (tx, event) => {
      const { data } = event;
      if (isAccountLevel(data)) await rightsChanged(credentials, tx, data, "role_changed", event.eventId);
    },
    [TenancyEvent.MemberRemoved]: async (tx, event) => {
      const { data } = event;
      if (isAccountLevel(data)) await rightsChanged(credentials, tx, data, "member_removed", event.eventId);
    },
  });

async function rightsChanged(
  credentials: Credentials,
  tx: Tx,
  member: { user_id: string; account_id: string; actor: Actor },
  reason: string,
  causeId: string,
): Promise<void> {
  const { user_id: userId, account_id: accountId } = member;
  await credentials.revokeAccess(
    tx,
    { scope: "membership", subjectId: userId, accountId, reason, causeId },
    member.actor,
  );
  await credentials.narrowKeysOf(tx, userId, accountId, reason, member.actor, causeId);
}

/**
 * The invitations tenancy sent, so a sign-up or sign-in can accept one without asking tenancy. This
 * projector is the table's only writer: an acceptance here is the inline projection
 * invitation_acceptances, and `status` turns to accepted when tenancy's InvitationAccepted comes back.
 */
const invitationHandlers = handlersFor<TenancyPayloads>()<Tx>({
  [TenancyEvent.InvitationSent]: async (tx, event) => {
    const { data } = event;
    const row = {
      accountId: data.account_id,
      inviteeEmailHash: data.invitee_email_hash,
      role: data.invitee_role,
      groupId: data.group_id,
      tokenHash: data.token_sha256 ?? null,
      expiresAt: new Date(data.expires_at),
    };
    await tx.invitation.upsert({
      where: { id: data.invitation_id },
      create: { id: data.invitation_id, status: "pending", ...row },
      update: row,
    });
  },
  [TenancyEvent.InvitationResent]: async (tx, event) => {
    const { data } = event;
    await tx.invitation.updateMany({
      where: { id: data.invitation_id, status: "pending" },
      data: {
        expiresAt: new Date(data.expires_at),
        role: data.invitee_role,
        // A resend issues a new link (v2 carries its hash); the old link stops working.
        ...(data.token_sha256 ? { tokenHash: data.token_sha256 } : {}),
      },
    });
  },
  [TenancyEvent.InvitationRevoked]: async (tx, event) => {
    const { data } = event;
    await tx.invitation.updateMany({
      where: { id: data.invitation_id, status: "pending" },
      data: { status: "revoked" },
    });
  },
  [TenancyEvent.InvitationAccepted]: async (tx, event) => {
    const { data } = event;
    await tx.invitation.updateMany({
      where: { id: data.invitation_id },
      data: { status: "accepted", acceptedBy: data.user_id },
    });
  },
});

/**
 * The organizations tenancy closed: identity then refuses every write into them and every sign-in,
 * switch, key exchange or directory request that would act in one (docs/identity.md). Closed is final,
 * so a row is only ever added; a replay adds the same row again.
 */
const closingHandlers = handlersFor<TenancyPayloads>()<Tx>({
  [TenancyEvent.OrganizationClosed]: async (tx, event) => {
    const { data } = event;
    await tx.closedAccount.upsert({
      where: { accountId: data.account_id },
      create: { accountId: data.account_id, closedAt: new Date(data.occurred_at) },
      update: {},
    });
  },
});

/** Every billing event that puts a plan in force carries its snapshot; its `users` limit is the seat limit. */
const seatLimit: EventHandler<Tx, { account_id: string; plan: PlanSnapshot }> = async (tx, event) => {
  const { account_id: accountId, plan } = event.data;
  // The event's time: Prisma's @updatedAt would stamp the wall clock, and a replay would differ.
  const values = { seatLimit: plan.limits.users ?? -1, plan: plan.plan_id, updatedAt: event.occurredAt };
  await tx.seatLimit.upsert({ where: { accountId }, create: { accountId, ...values }, update: values });
};

/** The domains each organization proved it owns: what its identity providers may vouch for. */
const domainHandlers = handlersFor<TenancyPayloads>()<Tx>({
  [TenancyEvent.DomainVerified]: async (tx, event) => {
    const { domain, account_id: accountId } = event.data;
    await tx.verifiedDomain.upsert({
      where: { domain },
      create: { domain, accountId },
      update: { accountId },
    });
  },
  [TenancyEvent.DomainRemoved]: async (tx, event) => {
    const { domain, account_id: accountId } = event.data;
    await tx.verifiedDomain.deleteMany({ where: { domain, accountId } });
  },
});

const planHandlers = handlersFor<BillingPayloads>()<Tx>({
  [BillingEvent.SubscriptionCreated]: seatLimit,
  [BillingEvent.TrialStarted]: seatLimit,
  [BillingEvent.SubscriptionUpgraded]: seatLimit,
  [BillingEvent.SubscriptionDowngraded]: seatLimit,
  [BillingEvent.SubscriptionRenewed]: seatLimit,
  [BillingEvent.BillingCycleChanged]: seatLimit,
  [BillingEvent.TrialEnded]: seatLimit,
  // No plan after a subscription ends: the limit without a plan applies again.
  [BillingEvent.SubscriptionEnded]: async (tx, event) => {
    await tx.seatLimit.deleteMany({ where: { accountId: event.data.account_id } });
  },
});

/**
 * identity's read models: the audit log, and what it keeps of tenancy's and billing's topics (account
 * memberships, invitations, closed organizations, seat limits, verified domains). Rebuilt by replaying
 * their topics from the start.
 */
export function readModelHandlers(): Record<string, ProjectionHandler<Tx>> {
  return {
    ...handlersFor<IdentityPayloads>()<Tx>(
      Object.fromEntries(Object.values(IdentityEvent).map((type) => [type, auditEntry])),
    ),
    ...memberHandlers,
    ...invitationHandlers,
    ...closingHandlers,
    ...planHandlers,
    ...domainHandlers,
  };
}

/**
 * What identity does when tenancy's members change: it revokes what a lost role carried, which appends
 * events. So these run in their own consumer group and are never rebuilt: a replay would decide again
 * against today's state (and revoke a key made since), and what they appended is in the log already.
 */
export function processHandlers(credentials: Credentials): Record<string, ProjectionHandler<Tx>> {
  return revocationHandlers(credentials);
}

/**
 * The tables only the read-model projector writes. closed_accounts, seat_limits, verified_domains,
 * invitations and account_memberships come from other services' topics.
 */
export const ASYNC_TABLES = [
  "audit_entries",
  "account_memberships",
  "closed_accounts",
  "seat_limits",
  "verified_domains",
  "invitations",
] as const;

/** What a rebuild of the read models empties before replaying their topics. */
export async function resetReadModels(tx: Tx): Promise<void> {
  await tx.auditEntry.deleteMany();
  await tx.accountMembership.deleteMany();
  await tx.invitation.deleteMany();
  await tx.closedAccount.deleteMany();
  await tx.seatLimit.deleteMany();
  await tx.verifiedDomain.deleteMany();
}
