import { enterTenant } from "@platform/database";
import { combineInlineHandlers, type InlineHandlers } from "@platform/event-sourcing";
import type { Tx } from "../app/tenant";
import { UsageEvent, type UsagePayloads } from "../domain/events";
import { alertInlineHandlers } from "./threshold-alerts";

/**
 * usage's own state as inline projections: run by the event store in the append's transaction and by
 * `rebuildInline` over `platform_events`. The only writer of `closed_periods`; times come from the event.
 */
const periodHandlers: InlineHandlers<Tx, UsagePayloads> = {
  [UsageEvent.UsagePeriodClosed]: async (tx, event) => {
    const data = event.data;
    await enterTenant(tx, data.account_id);
    await tx.closedPeriod.create({
      data: {
        accountId: data.account_id,
        periodStart: new Date(data.period_start),
        periodEnd: new Date(data.period_end),
        subscriptionId: data.subscription_id,
        totals: data.totals,
        limits: data.limits,
        appliedOffsets: data.applied_offsets,
        closedAt: new Date(data.occurred_at),
      },
    });
    // The closer lists only periods not closed yet (src/app/periods.ts); the time is the event's, so a
    // replay marks the row as the live run did (the billing projector copies it onto a row it creates later).
    await tx.billingPeriod.updateMany({
      where: { accountId: data.account_id, periodStart: new Date(data.period_start) },
      data: { closedAt: new Date(data.occurred_at) },
    });
  },
};

/**
 * Empties the inline tables before a replay. TRUNCATE is not subject to row-level security, so one
 * statement empties every tenant's rows (the table owner, the service's role, may truncate).
 */
/** Closed periods, and the threshold alerts' rows (src/projections/threshold-alerts.ts). */
export const inlineHandlers = combineInlineHandlers<Tx, UsagePayloads>(periodHandlers, alertInlineHandlers);

export async function resetInline(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe("TRUNCATE closed_periods, usage_alerts");
}
