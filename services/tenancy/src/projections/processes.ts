import { enterTenant, lookupAcrossTenants } from "@platform/database";
import type { Clock, EventStore, ProjectionHandler } from "@platform/event-sourcing";
import type { CustomerSuccessService } from "../app/customer-success";
import type { DomainService } from "../app/domains";
import type { GroupService } from "../app/groups";
import type { MemberService } from "../app/members";
import type { OrganizationService } from "../app/organizations";
import { accountIsClosed, CROSS_TENANT, record, type Tx } from "../app/tenant";
import { SYSTEM_ACTOR, TenancyEvent } from "../domain/events";
import { acceptsWrites } from "../domain/lifecycle";
import { itemFulfilledBy, progressOf } from "../domain/onboarding";
import { directoryTeamHandlers } from "./directory-teams";

type Data = Record<string, unknown>;

/**
 * What tenancy does when something happens elsewhere (or in its own log): onboarding items ticked by
 * the events that fulfil them, invitations accepted through identity, the lifecycle following
 * billing. These append events, so they run in their own consumer group and are never "rebuilt";
 * each step checks state first, so a redelivered event changes nothing twice.
 */
export function processHandlers(deps: {
  store: EventStore;
  clock: Clock;
  organizations: OrganizationService;
  members: MemberService;
  customerSuccess: CustomerSuccessService;
  domains: DomainService;
  groups: GroupService;
}): Record<string, ProjectionHandler<Tx>> {
  return skipClosedAccounts(
    combine(
      directoryTeamHandlers(deps.groups, deps.members),
      lifecycleHandlers(deps),
      customerSuccessHandlers(deps.customerSuccess),
      deps.domains.autoJoinHandlers(),
    ),
  );
}

/**
 * An event about a closed organization (an invitation accepted, a directory group, a sign-in, a
 * payment arriving after the closing) changes nothing there: closed is final. Skipped, not failed:
 * the event is valid and would fail the same way on every retry, so failing would only dead-letter
 * it. Events without an organization (an address verified) are checked where they find one.
 */
function skipClosedAccounts(
  handlers: Record<string, ProjectionHandler<Tx>>,
): Record<string, ProjectionHandler<Tx>> {
  return Object.fromEntries(
    Object.entries(handlers).map(([type, handler]) => [
      type,
      async (tx: Tx, event: Parameters<ProjectionHandler<Tx>>[1]) => {
        const accountId = (event.data as Data).account_id;
        if (typeof accountId === "string" && (await accountIsClosed(tx, accountId))) return;
        await handler(tx, event);
      },
    ]),
  );
}

/** Several handlers for one event type run one after the other, in the same transaction. */
function combine(...maps: Record<string, ProjectionHandler<Tx>>[]): Record<string, ProjectionHandler<Tx>> {
  const combined: Record<string, ProjectionHandler<Tx>> = {};
  for (const map of maps)
    for (const [type, handler] of Object.entries(map)) {
      const before = combined[type];
      combined[type] = before
        ? async (tx, event) => {
            await before(tx, event);
            await handler(tx, event);
          }
        : handler;
    }
  return combined;
}

/** Health signals and success-rep assignment follow the events that change them. */
function customerSuccessHandlers(success: CustomerSuccessService): Record<string, ProjectionHandler<Tx>> {
  const accountOf = (event: { data: unknown }) => {
    const id = (event.data as Data).account_id;
    return typeof id === "string" ? id : null;
  };
  const recalculate: ProjectionHandler<Tx> = async (tx, event) => {
    const accountId = accountOf(event);
    if (accountId) await success.observe(tx, accountId, () => undefined);
  };
  const reassign: ProjectionHandler<Tx> = async (tx, event) => {
    const accountId = accountOf(event);
    const plan = ((event.data as Data).plan as { plan_id?: string } | undefined)?.plan_id;
    if (accountId) await success.assignRep(tx, accountId, plan);
  };
  return combine(
    {
      "platform.tenancy.OrganizationCreated": reassign,
      "platform.tenancy.OrganizationUpdated": reassign,
      "platform.billing.SubscriptionCreated": reassign,
      "platform.billing.SubscriptionUpgraded": reassign,
      "platform.billing.SubscriptionDowngraded": reassign,
    },
    {
      "platform.tenancy.OrganizationCreated": recalculate,
      "platform.tenancy.MemberAdded": recalculate,
      "platform.tenancy.MemberRemoved": recalculate,
      "platform.tenancy.TicketOpened": recalculate,
      "platform.tenancy.TicketUpdated": recalculate,
      "platform.tenancy.SlaBreached": recalculate,
      "platform.billing.SubscriptionCreated": recalculate,
      "platform.identity.UserSignedIn": async (tx, event) => {
        const accountId = accountOf(event);
        const data = event.data as Data;
        if (!accountId) return;
        await success.observe(tx, accountId, (facts) => {
          facts.signIns ??= {};
          const signIns = facts.signIns;
          const userId = String(data.user_id);
          // Relative to the sign-in, not to the apply: a replay keeps the same window.
          const cutoff = event.occurredAt.getTime() - 30 * 86_400_000;
          signIns[userId] = [...(signIns[userId] ?? []).filter((t) => t > cutoff), Number(data.occurred_at)];
        });
      },
      "platform.billing.PaymentFailed": async (tx, event) => {
        const accountId = accountOf(event);
        if (accountId)
          await success.observe(tx, accountId, (facts) => {
            facts.paymentFailures = [
              ...(facts.paymentFailures ?? []),
              Number((event.data as Data).occurred_at),
            ];
          });
      },
      "platform.billing.SubscriptionSuspended": async (tx, event) => {
        const accountId = accountOf(event);
        if (accountId)
          await success.observe(tx, accountId, (facts) => {
            facts.overdue = true;
          });
      },
      "platform.billing.InvoicePaid": async (tx, event) => {
        const accountId = accountOf(event);
        if (accountId)
          await success.observe(tx, accountId, (facts) => {
            facts.overdue = false;
          });
      },
    },
  );
}

function lifecycleHandlers(deps: {
  store: EventStore;
  clock: Clock;
  organizations: OrganizationService;
  members: MemberService;
}): Record<string, ProjectionHandler<Tx>> {
  const { store, clock, organizations, members } = deps;

  async function tick(tx: Tx, accountId: string, eventType: string, data: Data): Promise<void> {
    const item = itemFulfilledBy(eventType, data);
    if (!item) return;
    await enterTenant(tx, accountId);
    const org = await tx.organization.findUnique({ where: { accountId } });
    if (!org || !acceptsWrites(org.status) || org.onboardingDone.includes(item)) return;
    const done = [...org.onboardingDone, item];
    const progress = progressOf(done);
    await tx.organization.update({ where: { accountId }, data: { onboardingDone: done } });
    await record(
      store,
      tx,
      { type: "organization", id: accountId, accountId },
      [
        {
          type: TenancyEvent.OnboardingItemCompleted,
          data: {
            item,
            fulfilled_by_event: eventType,
            completed_items: progress.completedItems,
            pending_items: progress.pendingItems,
            progress_percent: progress.progressPercent,
          },
        },
      ],
      SYSTEM_ACTOR,
      clock.now(),
    );
    if (progress.complete) await organizations.markOnboarded(tx, accountId, progress.completedItems);
  }

  const onboarding: ProjectionHandler<Tx> = async (tx, event) => {
    const data = event.data as Data;
    if (typeof data.account_id === "string") await tick(tx, data.account_id, event.type, data);
  };

  const lifecycle =
    (to: "active" | "suspended" | "reactivated"): ProjectionHandler<Tx> =>
    async (tx, event) => {
      const data = event.data as Data;
      if (typeof data.account_id !== "string") return;
      await enterTenant(tx, data.account_id);
      if (!(await tx.organization.findUnique({ where: { accountId: data.account_id } }))) return;
      await organizations.transition(
        tx,
        data.account_id,
        to,
        SYSTEM_ACTOR,
        to === "suspended" ? { reason: String(data.reason ?? "payment_overdue") } : {},
      );
    };

  return {
    // The creator's address, verified before or after the organization existed.
    "platform.tenancy.OrganizationCreated": async (tx, event) => {
      const data = event.data as Data;
      const creator = await tx.person.findUnique({ where: { userId: String(data.created_by_user_id) } });
      if (creator?.emailVerifiedAt)
        await tick(tx, String(data.account_id), "platform.identity.EmailVerified", data);
    },
    "platform.identity.EmailVerified": async (tx, event) => {
      const data = event.data as Data;
      const userId = String(data.user_id);
      const created = await lookupAcrossTenants(tx, CROSS_TENANT.organizationCreators, userId, () =>
        tx.organizationCreator.findMany({ where: { userId } }),
      );
      for (const { accountId } of created) await tick(tx, accountId, event.type, data);
    },
    "platform.tenancy.MemberAdded": onboarding,
    "platform.tenancy.OrganizationUpdated": onboarding,
    "platform.tenancy.GroupCreated": onboarding,
    "platform.billing.TrialStarted": onboarding,
    "platform.billing.SubscriptionCreated": async (tx, event) => {
      await onboarding(tx, event);
      if ((event.data as Data).subscription_status === "active") await lifecycle("active")(tx, event);
    },
    "platform.billing.SubscriptionSuspended": lifecycle("suspended"),
    "platform.billing.SubscriptionReactivated": lifecycle("reactivated"),
    "platform.identity.UserJoined": async (tx, event) => {
      const data = event.data as { account_id: string; user_id: string; invitation_id: string; role: string };
      await enterTenant(tx, data.account_id);
      await members.accepted(tx, data, SYSTEM_ACTOR);
    },
  };
}
