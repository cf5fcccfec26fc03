import { type KeyRing, type RoleCatalog, resetTrustedAccess, trustedAccessHandlers } from "@platform/auth";
import {
  BillingEvent,
  type BillingPayloads,
  IdentityEvent,
  type IdentityPayloads,
  type OrganizationCreated,
  type OrganizationUpdated,
  type PlanSnapshot,
  type TenancyPayloads,
} from "@platform/contracts";
import { allTenantIds, enterTenant } from "@platform/database";
import { type EventHandler, handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import { healthFactsOf } from "../app/customer-success";
import { CROSS_TENANT, type Tx } from "../app/tenant";
import { TenancyEvent } from "../domain/events";
import {
  type HealthFacts,
  withInvoicePaid,
  withPaymentFailure,
  withSignIn,
  withSuspension,
} from "../domain/health";
import { teamIdOf } from "./directory-teams";

const SUPPORT_LEVELS: Record<string, string> = {
  starter: "standard",
  professional: "priority",
  enterprise: "dedicated",
};

/** Seed 000's account traits, kept per organization; the billing ones come from billing's events. */
function traitsHandlers(): Record<string, ProjectionHandler<Tx>> {
  const inAccount =
    <Data extends { account_id: string }>(
      apply: (tx: Tx, accountId: string, data: Data) => Promise<unknown>,
    ): EventHandler<Tx, Data> =>
    async (tx, event) => {
      const { data } = event;
      const accountId = data.account_id;
      if (!accountId) return;
      await enterTenant(tx, accountId);
      await apply(tx, accountId, data);
    };
  // Upserts throughout: whichever topic's event comes first creates the row.
  const upsert = (tx: Tx, accountId: string, values: Record<string, unknown>) =>
    tx.accountTraits.upsert({ where: { accountId }, create: { accountId, ...values }, update: values });
  const status = inAccount((tx, accountId, data: { account_id: string; status: string }) =>
    upsert(tx, accountId, { status: String(data.status) }),
  );
  const plan = inAccount(
    (tx, accountId, data: { account_id: string; plan: PlanSnapshot; mrr_cents: number }) => {
      const snapshot = data.plan;
      return upsert(tx, accountId, {
        plan: snapshot.plan_id,
        // A limit the plan leaves out is not limited, for seats and projects alike.
        seatLimit: snapshot.limits.users ?? -1,
        projectLimit: snapshot.limits.projects ?? -1,
        mrrCents: BigInt(Number(data.mrr_cents ?? 0)),
        billingCycle: snapshot.interval === "year" ? "annual" : "monthly",
        supportLevel: SUPPORT_LEVELS[snapshot.plan_id] ?? "standard",
      });
    },
  );
  // A subscription that ended (a lapsed trial, a cancellation in force) leaves no plan: the limits
  // without a plan apply again (SEAT_LIMIT_WITHOUT_PLAN, PROJECT_LIMIT_WITHOUT_PLAN), and no revenue is
  // counted.
  const noPlan = inAccount((tx, accountId, _data: { account_id: string }) =>
    upsert(tx, accountId, {
      plan: null,
      seatLimit: null,
      projectLimit: null,
      mrrCents: 0n,
      billingCycle: null,
      supportLevel: null,
    }),
  );
  const users = (delta: number) =>
    inAccount((tx, accountId, data: { account_id: string; group_type: string }) =>
      data.group_type === "account"
        ? tx.accountTraits.upsert({
            where: { accountId },
            create: { accountId, numberOfUsers: delta },
            update: { numberOfUsers: { increment: delta } },
          })
        : Promise.resolve(),
    );
  return handlersFor<TenancyPayloads & BillingPayloads>()<Tx>({
    [TenancyEvent.OrganizationCreated]: inAccount((tx, accountId, data: OrganizationCreated) =>
      upsert(tx, accountId, {
        name: data.name,
        status: data.status,
        createdAt: new Date(data.occurred_at),
        employeeCount: data.number_of_employees,
        industry: data.industry,
      }),
    ),
    [TenancyEvent.OrganizationUpdated]: inAccount((tx, accountId, data: OrganizationUpdated) =>
      upsert(tx, accountId, {
        name: data.name,
        employeeCount: data.number_of_employees,
        industry: data.industry,
      }),
    ),
    [TenancyEvent.OrganizationOnboarded]: status,
    [TenancyEvent.OrganizationActivated]: status,
    [TenancyEvent.OrganizationSuspended]: status,
    [TenancyEvent.OrganizationReactivated]: status,
    [TenancyEvent.OrganizationClosed]: status,
    [TenancyEvent.MemberAdded]: users(1),
    [TenancyEvent.MemberRemoved]: users(-1),
    [BillingEvent.SubscriptionCreated]: plan,
    [BillingEvent.TrialStarted]: plan,
    [BillingEvent.SubscriptionUpgraded]: plan,
    [BillingEvent.SubscriptionDowngraded]: plan,
    [BillingEvent.SubscriptionRenewed]: plan,
    [BillingEvent.BillingCycleChanged]: plan,
    [BillingEvent.TrialEnded]: plan,
    [BillingEvent.SubscriptionEnded]: noPlan,
  });
}

/** People as identity announces them: the address invitations and auto-join compare with. */
function peopleHandlers(): Record<string, ProjectionHandler<Tx>> {
  const upsert: EventHandler<
    Tx,
    { user_id: string; email: string; email_verified?: boolean; occurred_at: number }
  > = async (tx, event) => {
    const { data } = event;
    const userId = data.user_id;
    const email = data.email.toLowerCase();
    const verified = data.email_verified === true || event.type === IdentityEvent.UserProvisioned;
    await tx.person.upsert({
      where: { userId },
      create: { userId, email, emailVerifiedAt: verified ? new Date(Number(data.occurred_at)) : null },
      update: { email },
    });
  };
  return handlersFor<IdentityPayloads>()<Tx>({
    [IdentityEvent.UserSignedUp]: upsert,
    [IdentityEvent.UserProvisioned]: upsert,
    [IdentityEvent.UserProfileUpdated]: upsert,
    [IdentityEvent.UserJoined]: upsert,
    [IdentityEvent.EmailVerified]: async (tx, event) => {
      const { data } = event;
      await tx.person.updateMany({
        where: { userId: data.user_id },
        data: { emailVerifiedAt: new Date(data.occurred_at) },
      });
    },
  });
}

/**
 * The raw facts of the health score, folded order-independently (src/domain/health.ts) so a replay
 * writes the row the live run wrote; the score itself is the process's (HealthScoreCalculated).
 */
function healthFactsHandlers(): Record<string, ProjectionHandler<Tx>> {
  const fold =
    <Data extends { account_id: string | null }>(
      change: (facts: HealthFacts, data: Data) => HealthFacts,
    ): EventHandler<Tx, Data> =>
    async (tx, event) => {
      const accountId = event.data.account_id;
      if (!accountId) return;
      await enterTenant(tx, accountId);
      const next = change(
        healthFactsOf(await tx.healthFacts.findUnique({ where: { accountId } })),
        event.data,
      );
      const row = {
        signIns: next.signIns,
        paymentFailures: next.paymentFailures,
        suspendedAt: next.suspendedAt,
        invoicePaidAt: next.invoicePaidAt,
      };
      await tx.healthFacts.upsert({ where: { accountId }, create: { accountId, ...row }, update: row });
    };
  return handlersFor<IdentityPayloads & BillingPayloads>()<Tx>({
    [IdentityEvent.UserSignedIn]: fold((facts, data) => withSignIn(facts, data.user_id, data.occurred_at)),
    [BillingEvent.PaymentFailed]: fold((facts, data) => withPaymentFailure(facts, data.occurred_at)),
    [BillingEvent.SubscriptionSuspended]: fold((facts, data) =>
      withSuspension(facts, new Date(data.occurred_at)),
    ),
    [BillingEvent.InvoicePaid]: fold((facts, data) => withInvoicePaid(facts, new Date(data.occurred_at))),
  });
}

/**
 * A directory (SCIM) group's member list as identity's directory last sent it, under the team it
 * becomes (`teamIdOf`): the directory-team process reads it when a person it names is provisioned.
 */
function directoryRosterHandlers(): Record<string, ProjectionHandler<Tx>> {
  const upsert: EventHandler<
    Tx,
    { account_id: string; directory_group_id: string; member_user_ids: string[] }
  > = async (tx, event) => {
    const { data } = event;
    await enterTenant(tx, data.account_id);
    const teamId = teamIdOf(data.directory_group_id);
    const memberIds = [...new Set(data.member_user_ids)];
    await tx.directoryTeamRoster.upsert({
      where: { teamId },
      create: { teamId, accountId: data.account_id, memberIds },
      update: { memberIds },
    });
  };
  return handlersFor<IdentityPayloads>()<Tx>({
    [IdentityEvent.DirectoryGroupCreated]: upsert,
    [IdentityEvent.DirectoryGroupUpdated]: upsert,
    [IdentityEvent.DirectoryGroupDeleted]: async (tx, event) => {
      const { data } = event;
      await enterTenant(tx, data.account_id);
      await tx.directoryTeamRoster.deleteMany({
        where: { teamId: teamIdOf(data.directory_group_id), accountId: data.account_id },
      });
    },
  });
}

export function readModelHandlers(
  keyRing: KeyRing,
  roles: RoleCatalog,
): Record<string, ProjectionHandler<Tx>> {
  return {
    ...traitsHandlers(),
    ...peopleHandlers(),
    ...healthFactsHandlers(),
    ...directoryRosterHandlers(),
    ...handlersFor<IdentityPayloads>()<Tx>(trustedAccessHandlers(keyRing, roles)),
  };
}

/**
 * What a rebuild empties: every read model this projector writes. Tenant tables are emptied tenant by
 * tenant (row-level security): traits, health facts and directory rosters for each tenant of the log, role definitions for every account
 * they are filed under (identity's roles name organizations tenancy's log may not, and `platform`).
 */
export async function resetReadModels(tx: Tx): Promise<void> {
  for (const accountId of await allTenantIds(tx)) {
    await enterTenant(tx, accountId);
    await tx.accountTraits.deleteMany({ where: { accountId } });
    await tx.healthFacts.deleteMany({ where: { accountId } });
    await tx.directoryTeamRoster.deleteMany({ where: { accountId } });
  }
  await resetTrustedAccess(tx, CROSS_TENANT.roleDefinitions);
  await tx.person.deleteMany();
}
