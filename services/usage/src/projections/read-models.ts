import { type AccessHandlers, resetTrustedAccess } from "@platform/auth";
import {
  BillingEvent,
  type BillingPayloads,
  type IdentityPayloads,
  type PlanSnapshot,
  TenancyEvent,
  type TenancyPayloads,
} from "@platform/contracts";
import { enterTenant } from "@platform/database";
import { handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import { projectTestClock } from "../app/account-time";
import { CROSS_TENANT, type Tx } from "../app/tenant";

/** What every billing event that starts or changes a period says about it. */
interface PeriodFacts {
  account_id: string;
  subscription_id: string;
  current_period_start: number;
  current_period_end: number;
  plan: PlanSnapshot;
}

/**
 * A period as billing states it: created or updated (an upgrade changes the limits of the same period),
 * and an earlier period the new one overlaps (an interval switch starts a new period at once) ends where
 * the new one starts, so no instant belongs to two periods.
 */
async function period(tx: Tx, data: PeriodFacts): Promise<void> {
  const { account_id: accountId } = data;
  await enterTenant(tx, accountId);
  const periodStart = new Date(data.current_period_start);
  const fields = {
    periodEnd: new Date(data.current_period_end),
    subscriptionId: data.subscription_id,
    planId: data.plan.plan_id,
    limits: data.plan.limits,
  };
  await tx.billingPeriod.updateMany({
    where: { accountId, periodStart: { lt: periodStart }, periodEnd: { gt: periodStart } },
    data: { periodEnd: periodStart },
  });
  // A rebuild may replay usage's own log (the closings) before billing's: a row created after its
  // closing carries the closing's time, as the closing's inline handler set it live.
  const key = { accountId_periodStart: { accountId, periodStart } };
  const closing = await tx.closedPeriod.findUnique({ where: key, select: { closedAt: true } });
  await tx.billingPeriod.upsert({
    where: key,
    create: { accountId, periodStart, ...fields, closedAt: closing?.closedAt ?? null },
    update: fields,
  });
}

const periodHandler = async (tx: Tx, event: { data: PeriodFacts }) => period(tx, event.data);

/**
 * usage's read models of other services' topics: identity's signing keys and role definitions (what
 * the token verifier trusts), the organizations tenancy closed, tenancy's memberships and projects (the
 * `users` and `projects` gauges), billing's periods with their plan limits, and billing's test clocks (an organization's time).
 */
export function readModelHandlers(access: AccessHandlers<Tx>): Record<string, ProjectionHandler<Tx>> {
  return {
    ...handlersFor<IdentityPayloads & TenancyPayloads>()<Tx>({
      ...access,
      [TenancyEvent.MemberAdded]: async (tx, event) => {
        const { account_id: accountId, group_id: groupId, user_id: userId } = event.data;
        await enterTenant(tx, accountId);
        await tx.member.upsert({
          where: { accountId_groupId_userId: { accountId, groupId, userId } },
          create: { accountId, groupId, userId },
          update: {},
        });
      },
      [TenancyEvent.MemberRemoved]: async (tx, event) => {
        const { account_id: accountId, group_id: groupId, user_id: userId } = event.data;
        await enterTenant(tx, accountId);
        await tx.member.deleteMany({ where: { accountId, groupId, userId } });
      },
      [TenancyEvent.GroupCreated]: async (tx, event) => {
        const { account_id: accountId, group_id: groupId, group_type: groupType } = event.data;
        if (groupType !== "project") return;
        await enterTenant(tx, accountId);
        await tx.project.upsert({
          where: { accountId_groupId: { accountId, groupId } },
          create: { accountId, groupId },
          update: {},
        });
      },
      [TenancyEvent.GroupArchived]: async (tx, event) => {
        const { account_id: accountId, group_id: groupId } = event.data;
        await enterTenant(tx, accountId);
        // Archiving a group archives its descendants: the projects below it stop counting too.
        const archived = [groupId, ...event.data.archived_descendant_group_ids];
        await tx.project.deleteMany({ where: { accountId, groupId: { in: archived } } });
      },
    }),
    ...handlersFor<BillingPayloads>()<Tx>({
      [BillingEvent.TrialStarted]: periodHandler,
      [BillingEvent.TrialEnded]: periodHandler,
      [BillingEvent.SubscriptionCreated]: periodHandler,
      [BillingEvent.SubscriptionRenewed]: periodHandler,
      [BillingEvent.SubscriptionUpgraded]: periodHandler,
      [BillingEvent.SubscriptionDowngraded]: periodHandler,
      [BillingEvent.BillingCycleChanged]: periodHandler,
      [BillingEvent.TestClockAttached]: async (tx, event) => {
        const { account_id: accountId, test_clock_id: testClockId, frozen_time: frozenTime } = event.data;
        await enterTenant(tx, accountId);
        await projectTestClock(tx, { accountId, testClockId, frozenTime, attached: true });
      },
      // A clock advanced before (or without) being attached is kept too: its attachment may come later.
      [BillingEvent.TestClockAdvanced]: async (tx, event) => {
        const { account_id: accountId, test_clock_id: testClockId, frozen_time: frozenTime } = event.data;
        await enterTenant(tx, accountId);
        await projectTestClock(tx, { accountId, testClockId, frozenTime, attached: false });
      },
      [BillingEvent.SubscriptionEnded]: async (tx, event) => {
        // No period after the end: the one running then ends with the subscription.
        const { account_id: accountId } = event.data;
        await enterTenant(tx, accountId);
        await tx.billingPeriod.updateMany({
          where: { accountId, periodStart: { lt: event.occurredAt }, periodEnd: { gt: event.occurredAt } },
          data: { periodEnd: event.occurredAt },
        });
      },
    }),
  };
}

/**
 * Empties the read models for a rebuild from the topics. TRUNCATE is not subject to row-level security,
 * so every tenant's rows go in one statement; the role definitions go the kit's way.
 */
export async function resetReadModels(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe("TRUNCATE closed_accounts, members, projects, billing_periods, test_clocks");
  await resetTrustedAccess(tx, CROSS_TENANT.roleDefinitions);
}
