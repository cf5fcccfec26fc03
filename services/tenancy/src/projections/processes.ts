import {
  BillingEvent,
  type BillingPayloads,
  IdentityEvent,
  type IdentityPayloads,
  type TenancyPayloads,
} from "@platform/contracts";
import { enterTenant, lookupAcrossTenants } from "@platform/database";
import {
  type Clock,
  type EventHandler,
  type EventStore,
  handlersFor,
  type ProjectionHandler,
  requireProjected,
} from "@platform/event-sourcing";
import type { AutoJoin } from "../app/auto-join";
import type { CustomerSuccessService } from "../app/customer-success";
import type { GroupService } from "../app/groups";
import type { InvitationService } from "../app/invitations";
import type { MembershipService } from "../app/membership-changes";
import type { Memberships } from "../app/memberships";
import type { OrganizationService } from "../app/organizations";
import { accountIsClosed, CROSS_TENANT, type Tx } from "../app/tenant";
import { SYSTEM_ACTOR, TenancyEvent } from "../domain/events";
import { itemFulfilledBy } from "../domain/onboarding";
import { directoryTeamHandlers, retryOnConflict } from "./directory-teams";

/** Everything tenancy's processes read: its own log, identity's and billing's. */
type Payloads = TenancyPayloads & IdentityPayloads & BillingPayloads;

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
  members: MembershipService;
  memberships: Memberships;
  invitations: InvitationService;
  customerSuccess: CustomerSuccessService;
  autoJoin: AutoJoin;
  groups: GroupService;
  /** The read models' consumer group: the processes read its tables. */
  readModelGroup: string;
}): Record<string, ProjectionHandler<Tx>> {
  const readModelsHave: ProjectionHandler<Tx> = (tx, event) =>
    requireProjected(tx, deps.readModelGroup, event);
  // A process appends on state a command may change at the same time; the loser of such a race is
  // applied again (transient), over what the winner wrote, instead of dead-lettered.
  const handlers = combine(
    directoryTeamHandlers(deps.groups, deps.members, deps.memberships, readModelsHave),
    lifecycleHandlers(deps),
    customerSuccessHandlers(deps.customerSuccess, readModelsHave),
    deps.autoJoin.handlers(),
  );
  return skipClosedAccounts(
    Object.fromEntries(Object.entries(handlers).map(([type, handler]) => [type, retryOnConflict(handler)])),
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
        const accountId = accountIdOf(event.data);
        if (accountId && (await accountIsClosed(tx, accountId))) return;
        await handler(tx, event);
      },
    ]),
  );
}

/** Read from any event: these wrappers see every type, each payload checked at run time instead. */
function accountIdOf(data: unknown): string | null {
  if (typeof data !== "object" || data === null || !("account_id" in data)) return null;
  return typeof data.account_id === "string" ? data.account_id : null;
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

/**
 * The health score and success-rep assignment follow the events that change them. The score's raw
 * facts are the read models' (health_facts, and the plan in account_traits): for an event that changes
 * them, the process waits until the read models have applied it (`readModelsHave`), so the score it
 * records includes the very event it reacts to.
 */
function customerSuccessHandlers(
  success: CustomerSuccessService,
  readModelsHave: ProjectionHandler<Tx>,
): Record<string, ProjectionHandler<Tx>> {
  const recalculate: EventHandler<Tx, { account_id: string | null }> = async (tx, event) => {
    const accountId = event.data.account_id;
    if (accountId) await success.recalculate(tx, accountId);
  };
  const recalculateWithFact: EventHandler<Tx, { account_id: string | null }> = async (tx, event) => {
    if (!event.data.account_id) return;
    await readModelsHave(tx, event);
    await recalculate(tx, event);
  };
  // Organization events carry no plan: the rep is then chosen by the organization's other traits.
  const reassign: EventHandler<Tx, { account_id: string; plan?: { plan_id: string } }> = async (
    tx,
    event,
  ) => {
    const accountId = event.data.account_id;
    const plan = event.data.plan?.plan_id;
    if (accountId) await success.assignRep(tx, accountId, plan);
  };
  const handlers = handlersFor<Payloads>()<Tx>;
  return combine(
    handlers({
      [TenancyEvent.OrganizationCreated]: reassign,
      [TenancyEvent.OrganizationUpdated]: reassign,
      [BillingEvent.SubscriptionCreated]: reassign,
      [BillingEvent.SubscriptionUpgraded]: reassign,
      [BillingEvent.SubscriptionDowngraded]: reassign,
    }),
    handlers({
      [TenancyEvent.OrganizationCreated]: recalculate,
      [TenancyEvent.MemberAdded]: recalculate,
      [TenancyEvent.MemberRemoved]: recalculate,
      [TenancyEvent.TicketOpened]: recalculate,
      [TenancyEvent.TicketUpdated]: recalculate,
      [TenancyEvent.SlaBreached]: recalculate,
      [BillingEvent.SubscriptionCreated]: recalculateWithFact,
      [IdentityEvent.UserSignedIn]: recalculateWithFact,
      [BillingEvent.PaymentFailed]: recalculateWithFact,
      [BillingEvent.SubscriptionSuspended]: recalculateWithFact,
      [BillingEvent.InvoicePaid]: recalculateWithFact,
    }),
  );
}

function lifecycleHandlers(deps: {
  organizations: OrganizationService;
  invitations: InvitationService;
}): Record<string, ProjectionHandler<Tx>> {
  const { organizations, invitations } = deps;

  /**
   * The checklist item the event fulfils, if any, recorded on the organization (see its `decide`);
   * a concurrent change of the organization makes the append conflict, and the event is retried.
   */
  async function tick(tx: Tx, accountId: string, eventType: string, data: object): Promise<void> {
    const item = itemFulfilledBy(eventType, data);
    if (!item) return;
    await enterTenant(tx, accountId);
    await organizations.completeOnboardingItem(tx, accountId, item, eventType);
  }

  const onboarding: EventHandler<Tx, { account_id: string }> = async (tx, event) => {
    await tick(tx, event.data.account_id, event.type, event.data);
  };

  const lifecycle =
    (to: "active" | "suspended" | "reactivated"): EventHandler<Tx, { account_id: string; reason?: string }> =>
    async (tx, event) => {
      const { data } = event;
      await enterTenant(tx, data.account_id);
      if (!(await tx.organization.findUnique({ where: { accountId: data.account_id } }))) return;
      await organizations.transition(
        tx,
        data.account_id,
        to,
        SYSTEM_ACTOR,
        to === "suspended" ? String(data.reason ?? "payment_overdue") : undefined,
      );
    };

  return handlersFor<Payloads>()<Tx>({
    // The creator's address, verified before or after the organization existed.
    [TenancyEvent.OrganizationCreated]: async (tx, event) => {
      const { data } = event;
      const creator = await tx.person.findUnique({ where: { userId: data.created_by_user_id } });
      if (creator?.emailVerifiedAt) await tick(tx, data.account_id, IdentityEvent.EmailVerified, data);
    },
    [IdentityEvent.EmailVerified]: async (tx, event) => {
      const { data } = event;
      const userId = data.user_id;
      const created = await lookupAcrossTenants(tx, CROSS_TENANT.organizationCreators, userId, () =>
        tx.organizationCreator.findMany({ where: { userId } }),
      );
      for (const { accountId } of created) await tick(tx, accountId, event.type, data);
    },
    [TenancyEvent.MemberAdded]: onboarding,
    [TenancyEvent.OrganizationUpdated]: onboarding,
    [TenancyEvent.GroupCreated]: onboarding,
    [BillingEvent.TrialStarted]: onboarding,
    [BillingEvent.SubscriptionCreated]: async (tx, event) => {
      await onboarding(tx, event);
      if (event.data.subscription_status === "active") await lifecycle("active")(tx, event);
    },
    // A trial that converts is the organization's first paid period.
    [BillingEvent.TrialEnded]: async (tx, event) => {
      if (event.data.converted) await lifecycle("active")(tx, event);
    },
    [BillingEvent.SubscriptionSuspended]: lifecycle("suspended"),
    [BillingEvent.SubscriptionReactivated]: lifecycle("reactivated"),
    [IdentityEvent.UserJoined]: async (tx, event) => {
      const { data } = event;
      await enterTenant(tx, data.account_id);
      await invitations.accepted(tx, data, SYSTEM_ACTOR);
    },
  });
}
