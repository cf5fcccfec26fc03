import { allTenantIds, enterTenant } from "@platform/database";
import { combineInlineHandlers, type InlineHandler, type InlineHandlers } from "@platform/event-sourcing";
import { rowOfState, stateOfRow } from "../app/subscription-state";
import type { Tx } from "../app/tenant";
import { BillingEvent, type BillingPayloads } from "../domain/events";
import { evolve, type SubscriptionEventType, type SubscriptionHistoryEvent } from "../domain/subscriptions";
import { couponHandlers } from "./coupons";
import { invoiceInlineHandlers, resetInvoices } from "./invoices";
import { resetRevenue, revenueHandlers } from "./revenue";
import { testClockHandlers } from "./test-clocks";

/**
 * billing's own state as inline projections: run by the event store in the append's transaction and
 * by `rebuildInline` over `platform_events`. These handlers are the only writers of `subscriptions`.
 * Each enters the event's tenant first (a rebuild replays every tenant's events in one transaction,
 * and row-level security would hide another tenant's rows); times come from the event.
 */
function subscriptionHandler<K extends SubscriptionEventType>(
  type: K,
): InlineHandler<Tx, BillingPayloads[K]> {
  return async (tx, event) => {
    if (!event.tenantId) throw new Error(`${event.type} ${event.eventId} names no tenant`);
    await enterTenant(tx, event.tenantId);
    const history = {
      type,
      data: event.data,
      version: event.version,
      occurredAt: event.occurredAt,
    } as SubscriptionHistoryEvent;
    const row = await tx.subscription.findUnique({ where: { id: event.aggregateId } });
    const next = rowOfState(evolve(row ? stateOfRow(row) : null, history));
    if (row) await tx.subscription.update({ where: { id: row.id }, data: next });
    else await tx.subscription.create({ data: next });
  };
}

const SUBSCRIPTION_EVENTS: readonly SubscriptionEventType[] = [
  BillingEvent.TrialStarted,
  BillingEvent.TrialWillEnd,
  BillingEvent.TrialEnded,
  BillingEvent.PaymentMethodAttached,
  BillingEvent.SubscriptionUpgraded,
  BillingEvent.SubscriptionDowngraded,
  BillingEvent.DowngradeScheduled,
  BillingEvent.DowngradeCanceled,
  BillingEvent.BillingCycleChanged,
  BillingEvent.SubscriptionCanceled,
  BillingEvent.SubscriptionEnded,
  BillingEvent.SubscriptionRenewed,
  BillingEvent.SubscriptionPastDue,
  BillingEvent.SubscriptionSuspended,
  BillingEvent.SubscriptionReactivated,
  BillingEvent.SubscriptionCreated,
  BillingEvent.DiscountApplied,
  BillingEvent.DiscountRemoved,
  BillingEvent.DiscountRedeemed,
  BillingEvent.TestClockAttached,
];

/** The subscription's row first, then the revenue ledger (src/projections/revenue.ts), from the same events; the invoices' own. */
export const inlineHandlers: InlineHandlers<Tx, BillingPayloads> = combineInlineHandlers(
  Object.fromEntries(SUBSCRIPTION_EVENTS.map((type) => [type, subscriptionHandler(type)])),
  revenueHandlers(SUBSCRIPTION_EVENTS),
  invoiceInlineHandlers,
  testClockHandlers,
  couponHandlers,
);

/** The tables the inline handlers own, emptied tenant by tenant (row-level security) before a rebuild. */
export async function resetInline(tx: Tx): Promise<void> {
  for (const accountId of await allTenantIds(tx)) {
    await enterTenant(tx, accountId);
    await tx.subscription.deleteMany({ where: { accountId } });
    await resetInvoices(tx, accountId);
    await tx.testClock.deleteMany({ where: { accountId } });
  }
  await resetRevenue(tx);
  await tx.coupon.deleteMany();
}
