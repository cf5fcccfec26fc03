import type { Clock, EventStore, ProjectionHandler } from "@platform/event-sourcing";
import type { MemberService } from "../app/members";
import type { OrganizationService } from "../app/organizations";
import { enterTenant, record, type Tx } from "../app/tenant";
import { SYSTEM_ACTOR, TenancyEvent } from "../domain/events";
import { itemFulfilledBy, progressOf } from "../domain/onboarding";

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
}): Record<string, ProjectionHandler<Tx>> {
  const { store, clock, organizations, members } = deps;

  async function tick(tx: Tx, accountId: string, eventType: string, data: Data): Promise<void> {
    const item = itemFulfilledBy(eventType, data);
    if (!item) return;
    await enterTenant(tx, accountId);
    const org = await tx.organization.findUnique({ where: { accountId } });
    if (!org || org.onboardingDone.includes(item)) return;
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
    if (progress.complete)
      await organizations.transition(tx, accountId, "onboarded", SYSTEM_ACTOR, {
        completed_items: progress.completedItems,
      });
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
      const created = await tx.organizationCreator.findMany({ where: { userId: String(data.user_id) } });
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
