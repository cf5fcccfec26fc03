import { allTenantIds, enterTenant } from "@platform/database";
import type { InlineHandler, InlineHandlers } from "@platform/event-sourcing";
import type { Tx } from "../app/tenant";
import { BillingEvent, type BillingPayloads } from "../domain/events";
import type { SubscriptionEventType } from "../domain/subscriptions";

/** A subscription event's payload, as far as the ledger reads it. */
type Standing = { subscription_id: string; mrr_cents?: number; converted?: boolean };

/**
 * The revenue ledger (`mrr_changes`), an inline projection of the subscription events: a row for every
 * event that moves an organization's MRR (every subscription event carries the MRR after it as
 * `mrr_cents`), and one for every trial's end with its outcome. The MRR before is the ledger's own last
 * figure for the organization, so the ledger is right even for events that carry no
 * `previous_mrr_cents`, and across the organization's subscriptions. It runs after the subscription's
 * handler in the append's transaction and in `rebuildInline`'s replay (position order), so the rebuilt
 * ledger is the live one row for row; the metrics are a pure function of it (src/domain/revenue.ts).
 */
const ledgerHandler: InlineHandler<Tx, Standing> = async (tx, event) => {
  const { data } = event;
  const trialEnded = event.type === BillingEvent.TrialEnded;
  if (data.mrr_cents === undefined && !trialEnded) return;
  if (!event.tenantId) throw new Error(`${event.type} ${event.eventId} names no tenant`);
  await enterTenant(tx, event.tenantId);
  const last = await tx.mrrChange.findFirst({
    where: { accountId: event.tenantId },
    orderBy: { position: "desc" },
    select: { mrrCents: true },
  });
  const previous = last?.mrrCents ?? 0;
  const mrr = data.mrr_cents ?? previous;
  if (mrr === previous && !trialEnded) return;
  await tx.mrrChange.create({
    data: {
      eventId: event.eventId,
      position: event.position,
      accountId: event.tenantId,
      subscriptionId: data.subscription_id,
      occurredAt: event.occurredAt,
      previousMrrCents: previous,
      mrrCents: mrr,
      trialConverted: trialEnded ? (data.converted ?? null) : null,
    },
  });
};

/** The subscription's event types: every one that can carry an MRR (the domain's list, not a copy). */
export function revenueHandlers(
  types: readonly SubscriptionEventType[],
): InlineHandlers<Tx, BillingPayloads> {
  return Object.fromEntries(types.map((type) => [type, ledgerHandler]));
}

/** Empties the ledger tenant by tenant (row-level security) before a rebuild. */
export async function resetRevenue(tx: Tx): Promise<void> {
  for (const accountId of await allTenantIds(tx)) {
    await enterTenant(tx, accountId);
    await tx.mrrChange.deleteMany({ where: { accountId } });
  }
}
