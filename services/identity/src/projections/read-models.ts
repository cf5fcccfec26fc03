import { latestSchemasOf, loadContracts, SCHEMAS_ROOT } from "@platform/contracts";
import type { PlanSnapshot } from "@platform/contracts/src/types/billing.events/SubscriptionCreated.v1";
import type { DomainRemoved } from "@platform/contracts/src/types/tenancy.events/DomainRemoved.v1";
import type { DomainVerified } from "@platform/contracts/src/types/tenancy.events/DomainVerified.v1";
import type { MemberAdded } from "@platform/contracts/src/types/tenancy.events/MemberAdded.v1";
import type { MemberRemoved } from "@platform/contracts/src/types/tenancy.events/MemberRemoved.v1";
import type { MemberRoleChanged } from "@platform/contracts/src/types/tenancy.events/MemberRoleChanged.v1";
import { type ProjectionHandler, payloadOf } from "@platform/event-sourcing";
import type { Tx } from "../app/context";
import type { Credentials } from "../app/credentials";
import { type Actor, identitySchemas } from "../domain/events";

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
const auditEntry: ProjectionHandler<Tx> = async (tx, event) => {
  const data = event.data as { account_id?: string | null; actor: Actor; occurred_at: number };
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
 * tenancy owns organization membership; identity keeps the role each person has, to put it in tokens.
 * A role changed or a membership ended revokes the tokens that carry the old one (and narrows the
 * person's API keys): keyed by the event, so a replay revokes nothing twice.
 */
const memberHandlers = (credentials: Credentials): Record<string, ProjectionHandler<Tx>> => ({
  "platform.tenancy.MemberAdded": async (tx, event) => {
    const data = event.data as unknown as MemberAdded;
    if (!isAccountLevel(data)) return;
    const where = { userId_accountId: { userId: data.user_id, accountId: data.account_id } };
    const access = await tx.accountAccess.findUnique({ where });
    if (!access) {
      await tx.accountAccess.create({
        data: { userId: data.user_id, accountId: data.account_id, role: data.role, source: data.source },
      });
      return;
    }
    // Usually identity granted the access itself (invitation, provisioning) and tenancy echoes it:
    // the echo must not undo what happened since, such as a directory suspending the person.
    if (access.role !== data.role)
      await tx.accountAccess.update({ where, data: { role: data.role, revision: { increment: 1 } } });
  },
  "platform.tenancy.MemberRoleChanged": async (tx, event) => {
    const data = event.data as unknown as MemberRoleChanged;
    if (!isAccountLevel(data)) return;
    await tx.accountAccess.updateMany({
      where: { userId: data.user_id, accountId: data.account_id },
      data: { role: data.role, revision: { increment: 1 } },
    });
    await rightsChanged(credentials, tx, data, "role_changed", event.eventId);
  },
  "platform.tenancy.MemberRemoved": async (tx, event) => {
    const data = event.data as unknown as MemberRemoved;
    if (!isAccountLevel(data)) return;
    await tx.accountAccess.deleteMany({ where: { userId: data.user_id, accountId: data.account_id } });
    await rightsChanged(credentials, tx, data, "member_removed", event.eventId);
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

interface InvitationPayload {
  invitation_id: string;
  account_id: string;
  invitee_email_hash: string;
  invitee_role: string;
  group_id: string | null;
  expires_at: number;
  token_sha256?: string | null;
}

/** The invitations tenancy sent, so a sign-up or sign-in can accept one without asking tenancy. */
const invitationHandlers: Record<string, ProjectionHandler<Tx>> = {
  "platform.tenancy.InvitationSent": async (tx, event) => {
    const data = event.data as unknown as InvitationPayload;
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
  "platform.tenancy.InvitationResent": async (tx, event) => {
    const data = event.data as unknown as InvitationPayload;
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
  "platform.tenancy.InvitationRevoked": async (tx, event) => {
    const data = event.data as unknown as InvitationPayload;
    await tx.invitation.updateMany({
      where: { id: data.invitation_id, status: "pending" },
      data: { status: "revoked" },
    });
  },
  "platform.tenancy.InvitationAccepted": async (tx, event) => {
    const data = event.data as unknown as InvitationPayload & { user_id: string };
    await tx.invitation.updateMany({
      where: { id: data.invitation_id },
      data: { status: "accepted", acceptedBy: data.user_id },
    });
  },
};

/**
 * The organizations tenancy closed: identity then refuses every write into them and every sign-in,
 * switch, key exchange or directory request that would act in one (docs/identity.md). Closed is final,
 * so a row is only ever added; a replay adds the same row again.
 */
const closingHandlers: Record<string, ProjectionHandler<Tx>> = {
  "platform.tenancy.OrganizationClosed": async (tx, event) => {
    const data = event.data as { account_id: string; occurred_at: number };
    await tx.closedAccount.upsert({
      where: { accountId: data.account_id },
      create: { accountId: data.account_id, closedAt: new Date(data.occurred_at) },
      update: {},
    });
  },
};

/** Every billing event that puts a plan in force carries its snapshot; its `users` limit is the seat limit. */
const seatLimit: ProjectionHandler<Tx> = async (tx, event) => {
  const { account_id: accountId, plan } = payloadOf<{ account_id: string; plan: PlanSnapshot }>(event);
  const values = { seatLimit: plan.limits.users ?? -1, plan: plan.plan_id };
  await tx.seatLimit.upsert({ where: { accountId }, create: { accountId, ...values }, update: values });
};

/** The domains each organization proved it owns: what its identity providers may vouch for. */
const domainHandlers: Record<string, ProjectionHandler<Tx>> = {
  "platform.tenancy.DomainVerified": async (tx, event) => {
    const { domain, account_id: accountId } = payloadOf<DomainVerified>(event);
    await tx.verifiedDomain.upsert({
      where: { domain },
      create: { domain, accountId },
      update: { accountId },
    });
  },
  "platform.tenancy.DomainRemoved": async (tx, event) => {
    const { domain, account_id: accountId } = payloadOf<DomainRemoved>(event);
    await tx.verifiedDomain.deleteMany({ where: { domain, accountId } });
  },
};

const planHandlers: Record<string, ProjectionHandler<Tx>> = {
  "platform.billing.SubscriptionCreated": seatLimit,
  "platform.billing.TrialStarted": seatLimit,
  "platform.billing.SubscriptionUpgraded": seatLimit,
  "platform.billing.SubscriptionDowngraded": seatLimit,
  "platform.billing.SubscriptionRenewed": seatLimit,
};

export function projectionHandlers(credentials: Credentials): Record<string, ProjectionHandler<Tx>> {
  return {
    ...Object.fromEntries(Object.keys(identitySchemas).map((type) => [type, auditEntry])),
    ...memberHandlers(credentials),
    ...invitationHandlers,
    ...closingHandlers,
    ...planHandlers,
    ...domainHandlers,
  };
}

/** What a rebuild empties before replaying the topics (account_access is also written by commands; see docs). */
export async function resetAuditLog(tx: Tx): Promise<void> {
  await tx.auditEntry.deleteMany();
}
