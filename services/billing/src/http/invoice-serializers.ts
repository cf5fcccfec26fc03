import type { InvoiceDetail } from "../app/invoices";
import type { CreditNote, Invoice, Payment } from "../generated/prisma/client";

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function invoiceSummaryJson(row: Invoice) {
  return {
    invoice_id: row.id,
    number: row.number,
    account_id: row.accountId,
    subscription_id: row.subscriptionId,
    status: row.status,
    billing_reason: row.billingReason,
    currency: row.currency,
    period_start: iso(row.periodStart),
    period_end: iso(row.periodEnd),
    usage_period: row.usagePeriodStart
      ? { start: iso(row.usagePeriodStart), end: iso(row.usagePeriodEnd) }
      : null,
    subtotal_cents: row.subtotalCents,
    discount_cents: row.discountCents,
    total_cents: row.totalCents,
    credit_carried_cents: row.creditCarriedCents,
    applied_balance_cents: row.appliedBalanceCents,
    credited_cents: row.creditedCents,
    paid_cents: row.paidCents,
    refunded_cents: row.refundedCents,
    pending_refund_cents: row.pendingRefundCents,
    amount_due_cents: row.amountDueCents,
    attempts: row.attempts,
    next_payment_attempt: iso(row.status === "open" ? row.nextRetryAt : null),
    created_at: iso(row.createdAt),
    finalize_at: row.status === "draft" ? iso(row.finalizeAt) : null,
    issued_at: iso(row.issuedAt),
    due_at: iso(row.dueAt),
    paid_at: iso(row.paidAt),
  };
}

export function paymentJson(row: Payment) {
  return {
    payment_id: row.id,
    attempt: row.attempt,
    status: row.status,
    amount_cents: row.amountCents,
    currency: row.currency,
    payment_method_id: row.paymentMethodId,
    provider: row.provider,
    failure_code: row.failureCode,
    failure_message: row.failureMessage,
    attempted_at: iso(row.attemptedAt),
  };
}

export function creditNoteJson(row: CreditNote) {
  return {
    credit_note_id: row.id,
    number: row.number,
    invoice_id: row.invoiceId,
    amount_cents: row.amountCents,
    currency: row.currency,
    reason: row.reason,
    balance_credit_cents: row.balanceCreditCents,
    refund_cents: row.refundCents,
    issued_at: iso(row.issuedAt),
  };
}

export function invoiceJson(detail: InvoiceDetail) {
  return {
    ...invoiceSummaryJson(detail.invoice),
    lines: detail.lines.map((line) => ({
      kind: line.kind,
      description: line.description,
      metric: line.metric,
      quantity: line.quantity,
      unit_price: line.unitPrice,
      amount_cents: line.amountCents,
      period_start: iso(line.periodStart),
      period_end: iso(line.periodEnd),
    })),
    payments: detail.payments.map(paymentJson),
    credit_notes: detail.creditNotes.map(creditNoteJson),
    refunds: detail.refunds.map((row) => ({
      refund_id: row.id,
      credit_note_id: row.creditNoteId,
      payment_id: row.paymentId,
      amount_cents: row.amountCents,
      currency: row.currency,
      provider: row.provider,
      payment_method_id: row.paymentMethodId,
      status: row.status,
      provider_refund_id: row.providerRefundId,
      failure_code: row.failureCode,
      failure_message: row.failureMessage,
      requested_at: iso(row.requestedAt),
      refunded_at: iso(row.refundedAt),
    })),
  };
}
