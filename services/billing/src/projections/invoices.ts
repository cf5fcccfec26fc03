import { enterTenant } from "@platform/database";
import type { InlineHandler, InlineHandlers } from "@platform/event-sourcing";
import { invoiceRowOfState, invoiceStateOfRow } from "../app/invoice-state";
import type { Tx } from "../app/tenant";
import { BillingEvent, type BillingPayloads } from "../domain/events";
import {
  evolve,
  type InvoiceEventType,
  type InvoiceHistoryEvent,
  type InvoiceState,
  lineIn,
} from "../domain/invoice-aggregate";

/**
 * The invoice aggregate's inline projection: `invoices` (the state), `invoice_lines`, `payments` (one row
 * per attempt), `credit_notes` and `refunds`, written only here, in the append's transaction and by a rebuild from
 * platform_events. Each handler enters the event's tenant and uses the event and its invoice's rows only.
 */
function invoiceHandler<K extends InvoiceEventType>(type: K): InlineHandler<Tx, BillingPayloads[K]> {
  return async (tx, event) => {
    if (!event.tenantId) throw new Error(`${event.type} ${event.eventId} names no tenant`);
    await enterTenant(tx, event.tenantId);
    const history = {
      type,
      data: event.data,
      version: event.version,
      occurredAt: event.occurredAt,
    } as InvoiceHistoryEvent;
    const row = await tx.invoice.findUnique({ where: { id: event.aggregateId } });
    const state = evolve(row ? invoiceStateOfRow(row) : null, history);
    if (row) await tx.invoice.update({ where: { id: row.id }, data: invoiceRowOfState(state) });
    else await tx.invoice.create({ data: invoiceRowOfState(state) });
    await sideRows(tx, history, state, event.occurredAt);
  };
}

async function sideRows(tx: Tx, history: InvoiceHistoryEvent, state: InvoiceState, occurredAt: Date) {
  const T = BillingEvent;
  const period = { start: state.periodStart, end: state.periodEnd };
  switch (history.type) {
    case T.InvoiceDrafted:
    case T.InvoiceIssued:
      // The final lines replace the draft's (overages and discounts are added at finalization).
      await tx.invoiceLineItem.deleteMany({ where: { invoiceId: state.id } });
      await tx.invoiceLineItem.createMany({
        data: history.data.lines.map((line, position) => {
          const l = lineIn(line, period);
          return {
            invoiceId: state.id,
            position,
            accountId: state.accountId,
            kind: l.kind,
            description: l.description,
            metric: l.metric,
            quantity: l.quantity,
            unitPrice: l.unit_price,
            amountCents: l.amount_cents,
            periodStart: l.period_start,
            periodEnd: l.period_end,
          };
        }),
      });
      if (history.type === T.InvoiceIssued && history.data.usage_adjustment_ids.length > 0) {
        const ids = history.data.usage_adjustment_ids;
        // Each adjustment is billed once: one that another invoice took already fails the finalization.
        const { count } = await tx.usageAdjustment.updateMany({
          where: { id: { in: ids }, invoiceId: null },
          data: { invoiceId: state.id },
        });
        if (count !== ids.length)
          throw new Error(`invoice ${state.id} bills usage adjustments already billed: ${ids.join(", ")}`);
      }
      break;
    case T.PaymentFailed:
    case T.InvoicePaid: {
      const { data } = history;
      const failed = history.type === T.PaymentFailed ? history.data : null;
      await tx.payment.create({
        data: {
          id: data.payment_id,
          accountId: state.accountId,
          invoiceId: state.id,
          attempt: state.attempts,
          amountCents: data.amount_cents,
          currency: data.currency,
          status: failed ? "failed" : "succeeded",
          paymentMethodId: data.payment_method_id,
          provider: data.provider,
          failureCode: failed?.failure_code ?? null,
          failureMessage: failed?.failure_message ?? null,
          attemptedAt: occurredAt,
        },
      });
      break;
    }
    case T.RefundRequested: {
      await recordRefund(tx, state, history.data, { status: "pending", requestedAt: occurredAt });
      break;
    }
    case T.RefundIssued: {
      const { data } = history;
      if (data.provider_refund_id !== null) {
        await tx.refund.update({
          where: { id: data.refund_id },
          data: { status: "succeeded", providerRefundId: data.provider_refund_id, refundedAt: occurredAt },
        });
        break;
      }
      // v1: made before it was recorded, under the provider's id, with no RefundRequested before it.
      await recordRefund(tx, state, data, {
        status: "succeeded",
        providerRefundId: data.refund_id,
        requestedAt: occurredAt,
        refundedAt: occurredAt,
      });
      break;
    }
    case T.RefundFailed: {
      const { data } = history;
      await tx.refund.update({
        where: { id: data.refund_id },
        data: { status: "failed", failureCode: data.failure_code, failureMessage: data.failure_message },
      });
      // Still owed to the customer: the note credits the balance with what the card did not get back.
      await tx.creditNote.update({
        where: { id: data.credit_note_id },
        data: {
          refundCents: { decrement: data.amount_cents },
          balanceCreditCents: { increment: data.amount_cents },
        },
      });
      break;
    }
    case T.CreditNoteIssued:
      await tx.creditNote.create({
        data: {
          id: history.data.credit_note_id,
          accountId: state.accountId,
          invoiceId: state.id,
          number: history.data.number,
          amountCents: history.data.amount_cents,
          currency: history.data.currency,
          reason: history.data.reason,
          issuedAt: occurredAt,
          balanceCreditCents: history.data.balance_credit_cents,
        },
      });
      break;
  }
}

const INVOICE_EVENTS: readonly InvoiceEventType[] = [
  BillingEvent.InvoiceDrafted,
  BillingEvent.InvoiceIssued,
  BillingEvent.PaymentFailed,
  BillingEvent.InvoicePaid,
  BillingEvent.InvoiceMarkedUncollectible,
  BillingEvent.CreditNoteIssued,
  BillingEvent.RefundRequested,
  BillingEvent.RefundIssued,
  BillingEvent.RefundFailed,
];

/** usage's late change to a closed period as billing took it: pending until an invoice bills it. */
const usageAdjustmentHandler: InlineHandler<
  Tx,
  BillingPayloads[typeof BillingEvent.UsageAdjustmentRecorded]
> = async (tx, event) => {
  if (!event.tenantId) throw new Error(`${event.type} ${event.eventId} names no tenant`);
  await enterTenant(tx, event.tenantId);
  const { data } = event;
  await tx.usageAdjustment.create({
    data: {
      id: data.adjustment_id,
      accountId: data.account_id,
      subscriptionId: data.subscription_id,
      periodStart: new Date(data.period_start),
      periodEnd: new Date(data.period_end),
      metric: data.metric,
      quantity: data.quantity,
      reason: data.reason,
      idempotencyKey: data.idempotency_key,
      recordedAt: event.occurredAt,
      position: event.position,
    },
  });
};

export const invoiceInlineHandlers: InlineHandlers<Tx, BillingPayloads> = {
  ...Object.fromEntries(INVOICE_EVENTS.map((type) => [type, invoiceHandler(type)])),
  [BillingEvent.UsageAdjustmentRecorded]: usageAdjustmentHandler,
};

/** Empties the invoice tables of the tenant the caller entered (resetInline calls it per tenant). */
export async function resetInvoices(tx: Tx, accountId: string): Promise<void> {
  await tx.usageAdjustment.deleteMany({ where: { accountId } });
  await tx.refund.deleteMany({ where: { accountId } });
  await tx.creditNote.deleteMany({ where: { accountId } });
  await tx.payment.deleteMany({ where: { accountId } });
  await tx.invoiceLineItem.deleteMany({ where: { accountId } });
  await tx.invoice.deleteMany({ where: { accountId } });
}

/** A refund's row and its credit note's refunded part: from `RefundRequested`, or a v1 `RefundIssued` (made before it was recorded). */
async function recordRefund(
  tx: Tx,
  invoice: { accountId: string; id: string },
  data: {
    refund_id: string;
    credit_note_id: string;
    payment_id: string | null;
    amount_cents: number;
    currency: string;
    provider: string;
    payment_method_id: string | null;
  },
  outcome: { status: string; requestedAt: Date; providerRefundId?: string; refundedAt?: Date },
): Promise<void> {
  await tx.refund.create({
    data: {
      id: data.refund_id,
      accountId: invoice.accountId,
      invoiceId: invoice.id,
      creditNoteId: data.credit_note_id,
      paymentId: data.payment_id,
      amountCents: data.amount_cents,
      currency: data.currency,
      provider: data.provider,
      paymentMethodId: data.payment_method_id,
      ...outcome,
    },
  });
  await tx.creditNote.update({
    where: { id: data.credit_note_id },
    data: { refundCents: data.amount_cents },
  });
}
