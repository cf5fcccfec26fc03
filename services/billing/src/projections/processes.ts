import { TenancyEvent, type TenancyPayloads, UsageEvent, type UsagePayloads } from "@platform/contracts";
import { handlersFor, type ProjectionHandler, requireProjected } from "@platform/event-sourcing";
import type { InvoiceService } from "../app/invoices";
import type { SubscriptionService } from "../app/subscriptions";
import type { Tx } from "../app/tenant";

/**
 * What billing does when other services' events arrive: a new organization gets its trial (seed 001);
 * a usage period closed after its renewal's invoice was final is invoiced in arrears.
 * Runs in the projector's transaction, so the trial's events and the projector's offset commit
 * together; `startTrial` skips an organization that has a subscription, so a redelivery starts none.
 */
export function processHandlers(
  subscriptions: SubscriptionService,
  invoices: InvoiceService,
  /** The read models' consumer group: a late close is billed only once `usage_periods` holds it. */
  readModelGroup: string,
): Record<string, ProjectionHandler<Tx>> {
  return {
    ...handlersFor<TenancyPayloads>()<Tx>({
      [TenancyEvent.OrganizationCreated]: async (tx, event) => {
        await subscriptions.startTrial(tx, event.data.account_id);
      },
    }),
    ...handlersFor<UsagePayloads>()<Tx>({
      // Usage closed after its renewal's invoice was final: its overages on an invoice of their own.
      [UsageEvent.UsagePeriodClosed]: async (tx, event) => {
        // The renewal's finalization reads the close from usage_periods (a read model, another
        // consumer): wait until it is there, so that whichever of the two runs second sees the other's
        // work (billLateUsage explains the lock that orders them).
        await requireProjected(tx, readModelGroup, event);
        const { data } = event;
        await invoices.billLateUsage(tx, {
          accountId: data.account_id,
          subscriptionId: data.subscription_id,
          period: { start: new Date(data.period_start), end: new Date(data.period_end) },
          totals: { ...data.totals },
        });
      },
      // A late change to a closed period (usage's adjust mode): billed on the next invoice, once.
      [UsageEvent.UsageAdjusted]: async (tx, event) => {
        await invoices.recordUsageAdjustment(tx, event.aggregateId, event.data);
      },
    }),
  };
}
