import { TenancyEvent, type TenancyPayloads } from "@platform/contracts";
import { handlersFor, type ProjectionHandler } from "@platform/event-sourcing";
import type { SubscriptionService } from "../app/subscriptions";
import type { Tx } from "../app/tenant";

/**
 * What billing does when other services' events arrive: a new organization gets its trial (seed 001).
 * Runs in the projector's transaction, so the trial's events and the projector's offset commit
 * together; `startTrial` skips an organization that has a subscription, so a redelivery starts none.
 */
export function processHandlers(subscriptions: SubscriptionService): Record<string, ProjectionHandler<Tx>> {
  return handlersFor<TenancyPayloads>()<Tx>({
    [TenancyEvent.OrganizationCreated]: async (tx, event) => {
      await subscriptions.startTrial(tx, event.data.account_id);
    },
  });
}
