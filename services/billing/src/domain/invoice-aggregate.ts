import { BillingEvent, type PlanSnapshot } from "@platform/contracts";
import { ConflictError, InvalidInputError, NotFoundError } from "@platform/errors";
import type { AppliedDiscount } from "./discounts";
import type { DunningPolicy } from "./dunning";
import type { BillingPayloads, Decided } from "./events";
import { composeInvoice, overageLines, type PeriodUsage } from "./invoices";
import type { InvoiceLine } from "./lines";
import type { Cents } from "./money";
import { addDays, type Period } from "./periods";
import { planOfSnapshot } from "./snapshots";

/**
 * The invoice aggregate, one per invoice: pure rules, no I/O (docs/billing.md, Invoices and Dunning).
 *
 * draft (no number; InvoiceDrafted) → open (finalized with its number: InvoiceIssued) → paid
 * (InvoicePaid, or nothing to pay) — or, when dunning ends unpaid, uncollectible
 * (InvoiceMarkedUncollectible), which can still be paid. A finalized invoice never changes its lines:
 * corrections are credit notes (CreditNoteIssued), which lower what it still asks.
 *
 * Every step the scheduler takes is due at a time the events fixed (`nextDueAtOf`): the finalization
 * at `finalize_at`, the first charge at the issue, each retry at the failure's `next_retry_at`, the
 * suspension at its `suspend_at`, the completion of refunds still pending `REFUND_SWEEP_AFTER_MS` after
 * they were recorded. So "what is due for this invoice at T" depends on T and the log only.
 */
export const INVOICE_STATUSES = ["draft", "open", "paid", "uncollectible"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export type BillingReason = "subscription_create" | "subscription_cycle" | "subscription_update";

export interface InvoiceState {
  id: string;
  accountId: string;
  subscriptionId: string;
  status: InvoiceStatus;
  billingReason: BillingReason;
  currency: string;
  number: string | null;
  periodStart: Date;
  periodEnd: Date;
  /** The closed usage period whose overages it bills (a renewal's previous period), priced at `usagePlan`. */
  usagePeriodStart: Date | null;
  usagePeriodEnd: Date | null;
  usagePlan: PlanSnapshot | null;
  subtotalCents: Cents;
  discountCents: Cents;
  totalCents: Cents;
  creditCarriedCents: Cents;
  /** The customer's balance applied at finalization: what it asks is total − this. */
  appliedBalanceCents: Cents;
  /** Credit notes so far. */
  creditedCents: Cents;
  paidCents: Cents;
  /** Refunded to the payment method by credit notes (RefundIssued). */
  refundedCents: Cents;
  /** Refunds recorded (RefundRequested) and not completed yet (RefundIssued or RefundFailed). */
  pendingRefundCents: Cents;
  /** When the scheduler completes the refunds still pending (a crash left them), or null. */
  refundsDueAt: Date | null;
  /** What it still asks: total − credit notes − payments (0 once paid). */
  amountDueCents: Cents;
  /** Payment attempts so far (each a PaymentFailed or the InvoicePaid). */
  attempts: number;
  firstFailedAt: Date | null;
  nextRetryAt: Date | null;
  suspendAt: Date | null;
  createdAt: Date;
  finalizeAt: Date;
  issuedAt: Date | null;
  dueAt: Date | null;
  paidAt: Date | null;
  discountIds: string[];
  nextDueAt: Date | null;
  version: number;
}

/** What the provider answered to one charge. */
export type ChargeOutcome =
  | { kind: "succeeded"; paymentId: string }
  | { kind: "failed"; paymentId: string; code: string; message: string | null };

export type InvoiceCommand =
  | {
      kind: "draft";
      id: string;
      subscriptionId: string;
      currency: string;
      billingReason: BillingReason;
      lines: InvoiceLine[];
      period: Period;
      usagePeriod: Period | null;
      usagePlan: PlanSnapshot | null;
      finalizeAt: Date;
    }
  /**
   * Finalization: the draft's lines, the usage's overages, the pending usage adjustments (their lines,
   * already priced, and the ids of every one it bills), the discounts, then the customer's balance
   * (what is available), numbered.
   */
  | {
      kind: "finalize";
      lines: InvoiceLine[];
      usage: PeriodUsage;
      adjustments: { ids: string[]; lines: InvoiceLine[] };
      discounts: readonly AppliedDiscount[];
      balanceCents: Cents;
      number: string;
      issuer: string;
    }
  | {
      kind: "record_attempt";
      outcome: ChargeOutcome;
      paymentMethodId: string | null;
      provider: string;
      policy: DunningPolicy;
    }
  | { kind: "mark_uncollectible" }
  | {
      kind: "credit";
      creditNoteId: string;
      number: string;
      amountCents: Cents;
      reason: string;
      /** The refund of what the note credits beyond what is asked, instead of the balance: recorded pending. */
      refund?: Refund | null;
    }
  | {
      kind: "record_refund";
      refund: Pick<Refund, "refundId" | "creditNoteId" | "amountCents" | "provider">;
      outcome: RefundOutcome;
    };

/** A credit note's refund, recorded before the provider is asked to make it (RefundRequested). */
export interface Refund {
  /** Billing's id, deterministic from the note (`refundIdOf`): the provider's idempotency key. */
  refundId: string;
  creditNoteId: string;
  paymentId: string | null;
  paymentMethodId: string | null;
  provider: string;
  amountCents: Cents;
}

export type RefundOutcome =
  | { kind: "succeeded"; providerRefundId: string; paymentId: string | null; paymentMethodId: string | null }
  | { kind: "failed"; code: string; message: string | null };

/** One refund per credit note, its id a function of the note's: a retry of the note is the same refund. */
export const refundIdOf = (creditNoteId: string) => `rf_${creditNoteId.replace(/^cn_/, "")}`;

/**
 * How long a pending refund is left to the request that recorded it before the scheduler completes it
 * (a crash between the provider's answer and its record); the provider's idempotency key makes either the same refund.
 */
export const REFUND_SWEEP_AFTER_MS = 60_000;

type P = BillingPayloads;
type E = typeof BillingEvent;
export type InvoiceEventType =
  | E["InvoiceDrafted"]
  | E["InvoiceIssued"]
  | E["PaymentFailed"]
  | E["InvoicePaid"]
  | E["InvoiceMarkedUncollectible"]
  | E["CreditNoteIssued"]
  | E["RefundRequested"]
  | E["RefundIssued"]
  | E["RefundFailed"];
type EventUnion<Wrap extends "decided" | "stored"> = {
  [K in InvoiceEventType]: { type: K; data: Wrap extends "decided" ? Decided<P[K]> : P[K] };
}[InvoiceEventType];
export type InvoiceEvent = EventUnion<"decided">;
export type InvoiceHistoryEvent = { version: number; occurredAt: Date } & EventUnion<"stored">;

const T = BillingEvent;

/** An invoice is payable for this long after it is issued (charged at once; the date is what it prints). */
export const PAYMENT_TERMS_DAYS = 0;

export type InvoiceStep = "finalize" | "charge" | "retry" | "suspend" | "refund";

/** The step the scheduler takes for the invoice at `now`, or null. */
export function dueStepOf(state: InvoiceState, now: Date): InvoiceStep | null {
  if (!state.nextDueAt || now < state.nextDueAt) return null;
  if (state.refundsDueAt && now >= state.refundsDueAt) return "refund";
  if (state.status === "draft") return "finalize";
  if (state.status !== "open") return null;
  if (state.attempts === 0) return "charge";
  if (state.nextRetryAt && now >= state.nextRetryAt) return "retry";
  return "suspend";
}

export function nextDueAtOf(state: Omit<InvoiceState, "nextDueAt">): Date | null {
  const step = nextStepAtOf(state);
  if (!state.refundsDueAt) return step;
  return step && step < state.refundsDueAt ? step : state.refundsDueAt;
}

function nextStepAtOf(state: Omit<InvoiceState, "nextDueAt">): Date | null {
  if (state.status === "draft") return state.finalizeAt;
  if (state.status !== "open") return null;
  if (state.attempts === 0) return state.issuedAt;
  return state.nextRetryAt ?? state.suspendAt;
}

const refuse = (code: string, message: string, details?: Record<string, unknown>) =>
  new ConflictError(code, message, details ? { details } : undefined);

const lineOut = (line: InvoiceLine) => ({
  kind: line.kind,
  description: line.description,
  metric: line.metric,
  quantity: line.quantity,
  unit_price: line.unit_price,
  amount_cents: line.amount_cents,
  period_start: line.period_start.getTime(),
  period_end: line.period_end.getTime(),
});

/** A line as the events carry it, back as the domain's line (a line without a period takes the invoice's). */
export function lineIn(line: P[E["InvoiceIssued"]]["lines"][number], fallback: Period): InvoiceLine {
  return {
    kind: line.kind as InvoiceLine["kind"],
    description: line.description,
    metric: line.metric as InvoiceLine["metric"],
    quantity: line.quantity,
    unit_price: line.unit_price,
    amount_cents: line.amount_cents,
    period_start: line.period_start === null ? fallback.start : new Date(line.period_start),
    period_end: line.period_end === null ? fallback.end : new Date(line.period_end),
  };
}

export function decide(state: InvoiceState | null, command: InvoiceCommand, now: Date): InvoiceEvent[] {
  if (command.kind === "draft") {
    if (state) throw refuse("invoice_exists", `invoice ${state.id} exists`);
    return [
      {
        type: T.InvoiceDrafted,
        data: {
          invoice_id: command.id,
          subscription_id: command.subscriptionId,
          currency: command.currency,
          billing_reason: command.billingReason,
          lines: command.lines.map(lineOut),
          period_start: command.period.start.getTime(),
          period_end: command.period.end.getTime(),
          usage_period_start: command.usagePeriod?.start.getTime() ?? null,
          usage_period_end: command.usagePeriod?.end.getTime() ?? null,
          usage_plan: command.usagePlan,
          finalize_at: command.finalizeAt.getTime(),
        },
      },
    ];
  }
  if (!state) throw new InvoiceNotFoundError();
  switch (command.kind) {
    case "finalize": {
      if (state.status !== "draft") throw refuse("invoice_finalized", `invoice ${state.number} is final`);
      const usagePeriod =
        state.usagePeriodStart && state.usagePeriodEnd
          ? { start: state.usagePeriodStart, end: state.usagePeriodEnd }
          : null;
      const overages =
        usagePeriod && state.usagePlan
          ? overageLines(planOfSnapshot(state.usagePlan), usagePeriod, command.usage)
          : [];
      const draft = composeInvoice(
        [...command.lines, ...overages, ...command.adjustments.lines],
        command.discounts,
        now,
      );
      // Stripe's customer balance: credit carried from earlier invoices lowers what this one asks,
      // never below 0; the rest stays for the next.
      const appliedBalance = Math.min(Math.max(0, command.balanceCents), draft.total_cents);
      return [
        {
          type: T.InvoiceIssued,
          data: {
            invoice_id: state.id,
            number: command.number,
            subscription_id: state.subscriptionId,
            currency: state.currency,
            lines: draft.lines.map(lineOut),
            subtotal_cents: draft.subtotal_cents,
            discount_cents: draft.discount_cents,
            total_cents: draft.total_cents,
            period_start: state.periodStart.getTime(),
            period_end: state.periodEnd.getTime(),
            due_at: addDays(now, PAYMENT_TERMS_DAYS).getTime(),
            billing_reason: state.billingReason,
            issuer: command.issuer,
            usage_period_start: state.usagePeriodStart?.getTime() ?? null,
            usage_period_end: state.usagePeriodEnd?.getTime() ?? null,
            discount_ids: draft.discounts_used,
            credit_carried_cents: draft.credit_carried_cents,
            applied_balance_cents: appliedBalance,
            usage_adjustment_ids: command.adjustments.ids,
          },
        },
      ];
    }
    case "record_attempt": {
      assertPayable(state);
      const attempt = state.attempts + 1;
      const { outcome } = command;
      if (outcome.kind === "succeeded")
        return [
          {
            type: T.InvoicePaid,
            data: {
              invoice_id: state.id,
              payment_id: outcome.paymentId,
              amount_cents: state.amountDueCents,
              currency: state.currency,
              attempt,
              payment_method_id: command.paymentMethodId,
              provider: command.provider,
            },
          },
        ];
      // Day 0 of dunning is the first failure; later failures (a scheduled retry, or a payment the
      // customer tried) keep it, so the schedule never moves: the next retry is the first one still ahead.
      const firstFailedAt = state.firstFailedAt ?? now;
      const nextRetry = command.policy.retry_after_days
        .map((days) => addDays(firstFailedAt, days))
        .find((at) => at > now);
      const suspendAt = state.suspendAt ?? addDays(firstFailedAt, command.policy.suspend_after_days);
      return [
        {
          type: T.PaymentFailed,
          data: {
            invoice_id: state.id,
            payment_id: outcome.paymentId,
            amount_cents: state.amountDueCents,
            currency: state.currency,
            attempt,
            failure_code: outcome.code,
            failure_message: outcome.message,
            next_retry_at: nextRetry?.getTime() ?? null,
            payment_method_id: command.paymentMethodId,
            provider: command.provider,
            suspend_at: suspendAt.getTime(),
          },
        },
      ];
    }
    case "mark_uncollectible":
      if (state.status !== "open" || !state.firstFailedAt)
        throw refuse("invoice_not_overdue", `invoice ${state.number ?? state.id} is not overdue`);
      return [
        {
          type: T.InvoiceMarkedUncollectible,
          data: {
            invoice_id: state.id,
            number: state.number ?? "",
            subscription_id: state.subscriptionId,
            amount_due_cents: state.amountDueCents,
            currency: state.currency,
            first_failed_at: state.firstFailedAt.getTime(),
          },
        },
      ];
    case "credit": {
      if (state.status === "draft" || !state.number)
        throw refuse(
          "invoice_not_finalized",
          "a draft is changed, not credited; only a finalized invoice takes a credit note",
        );
      const remaining = state.totalCents - state.creditedCents;
      if (!Number.isSafeInteger(command.amountCents) || command.amountCents < 1)
        throw new InvalidInputError(
          "invalid_request_body",
          "amount_cents must be a whole number of cents ≥ 1",
        );
      if (command.amountCents > remaining)
        throw new InvalidInputError(
          "credit_note_exceeds_invoice",
          `invoice ${state.number} can be credited ${remaining} cents at most`,
          {
            details: {
              remaining_cents: remaining,
              total_cents: state.totalCents,
              credited_cents: state.creditedCents,
            },
          },
        );
      const { amountDue, beyond } = creditSplitOf(state, command.amountCents);
      const refund = command.refund ?? null;
      if (refund) assertRefundable(state, beyond, refund.amountCents);
      return [
        {
          type: T.CreditNoteIssued,
          data: {
            credit_note_id: command.creditNoteId,
            number: command.number,
            invoice_id: state.id,
            invoice_number: state.number,
            subscription_id: state.subscriptionId,
            amount_cents: command.amountCents,
            currency: state.currency,
            reason: command.reason,
            amount_due_cents: amountDue,
            balance_credit_cents: beyond - (refund?.amountCents ?? 0),
          },
        },
        ...(refund && refund.amountCents > 0
          ? [
              {
                type: T.RefundRequested,
                data: {
                  invoice_id: state.id,
                  credit_note_id: command.creditNoteId,
                  refund_id: refund.refundId,
                  payment_id: refund.paymentId,
                  amount_cents: refund.amountCents,
                  currency: state.currency,
                  provider: refund.provider,
                  payment_method_id: refund.paymentMethodId,
                },
              } as const,
            ]
          : []),
      ];
    }
    case "record_refund": {
      const { refund, outcome } = command;
      // The caller checked this refund is pending in the same transaction; this keeps the sums whole.
      if (refund.amountCents > state.pendingRefundCents)
        throw new Error(
          `invoice ${state.id} has ${state.pendingRefundCents} cents of refunds pending, not ${refund.amountCents}`,
        );
      const common = {
        invoice_id: state.id,
        credit_note_id: refund.creditNoteId,
        refund_id: refund.refundId,
        amount_cents: refund.amountCents,
        currency: state.currency,
        provider: refund.provider,
      };
      if (outcome.kind === "failed")
        return [
          {
            type: T.RefundFailed,
            data: { ...common, failure_code: outcome.code, failure_message: outcome.message },
          },
        ];
      return [
        {
          type: T.RefundIssued,
          data: {
            ...common,
            payment_id: outcome.paymentId,
            payment_method_id: outcome.paymentMethodId,
            provider_refund_id: outcome.providerRefundId,
          },
        },
      ];
    }
  }
}

/**
 * A credit note of `amountCents` split: what the invoice still asks after it, and the part beyond what
 * it asked (all of it on a paid invoice), which is the customer's — refunded to the payment method when
 * asked, else credited to the balance the next invoices are paid from.
 */
export function creditSplitOf(
  state: Pick<InvoiceState, "status" | "amountDueCents">,
  amountCents: Cents,
): { amountDue: Cents; beyond: Cents } {
  const payable = state.status === "open" || state.status === "uncollectible";
  const stillAsked = payable ? state.amountDueCents : 0;
  const amountDue = Math.max(0, stillAsked - amountCents);
  return { amountDue, beyond: amountCents - (stillAsked - amountDue) };
}

/**
 * A refund pays out the whole part beyond what is asked (never a silent split between refund and
 * balance), and never more than was paid and not refunded or pending refund yet.
 */
export function assertRefundable(
  state: Pick<InvoiceState, "number" | "paidCents" | "refundedCents" | "pendingRefundCents">,
  beyond: Cents,
  refundCents: Cents,
): void {
  const refundable = Math.max(0, state.paidCents - state.refundedCents - state.pendingRefundCents);
  if (beyond > 0 && refundCents === beyond && beyond <= refundable) return;
  throw new InvalidInputError(
    "refund_exceeds_payments",
    beyond === 0
      ? `the credit note only lowers what invoice ${state.number} still asks: nothing to refund`
      : `invoice ${state.number} can refund ${refundable} cents at most; the note would refund ${beyond}`,
    { details: { refundable_cents: refundable, refund_cents: beyond } },
  );
}

function assertPayable(state: InvoiceState): void {
  if (state.status === "paid")
    throw refuse("invoice_already_paid", `invoice ${state.number} is paid`, { invoice_id: state.id });
  if (state.status === "draft")
    throw refuse("invoice_not_finalized", "a draft is not payable until it is finalized");
}

export class InvoiceNotFoundError extends NotFoundError {
  constructor() {
    super("invoice_not_found", "no such invoice");
  }
}

/** An event of the invoice folded into it; times from the event, never the wall clock. */
export function evolve(state: InvoiceState | null, event: InvoiceHistoryEvent): InvoiceState {
  if (event.type === T.InvoiceDrafted) {
    const { data } = event;
    const lines = data.lines.map((line) => line.amount_cents);
    const subtotal = lines.reduce((a, b) => a + b, 0);
    return withNextDue({
      id: data.invoice_id,
      accountId: data.account_id,
      subscriptionId: data.subscription_id,
      status: "draft",
      billingReason: data.billing_reason as BillingReason,
      currency: data.currency,
      number: null,
      periodStart: new Date(data.period_start),
      periodEnd: new Date(data.period_end),
      usagePeriodStart: data.usage_period_start === null ? null : new Date(data.usage_period_start),
      usagePeriodEnd: data.usage_period_end === null ? null : new Date(data.usage_period_end),
      usagePlan: data.usage_plan,
      subtotalCents: subtotal,
      discountCents: 0,
      totalCents: Math.max(0, subtotal),
      creditCarriedCents: 0,
      appliedBalanceCents: 0,
      creditedCents: 0,
      paidCents: 0,
      refundedCents: 0,
      pendingRefundCents: 0,
      refundsDueAt: null,
      amountDueCents: 0,
      attempts: 0,
      firstFailedAt: null,
      nextRetryAt: null,
      suspendAt: null,
      createdAt: event.occurredAt,
      finalizeAt: new Date(data.finalize_at),
      issuedAt: null,
      dueAt: null,
      paidAt: null,
      discountIds: [],
      version: event.version,
    });
  }
  if (!state) throw new Error(`evolve: ${event.type} on an invoice that does not exist`);
  const next: InvoiceState = { ...state, version: event.version };
  switch (event.type) {
    case T.InvoiceIssued: {
      const { data } = event;
      const amountDue = data.total_cents - data.applied_balance_cents;
      Object.assign(next, {
        number: data.number,
        subtotalCents: data.subtotal_cents,
        discountCents: data.discount_cents,
        totalCents: data.total_cents,
        creditCarriedCents: data.credit_carried_cents,
        appliedBalanceCents: data.applied_balance_cents,
        amountDueCents: amountDue,
        issuedAt: event.occurredAt,
        dueAt: new Date(data.due_at),
        discountIds: [...data.discount_ids],
        // Nothing to pay (a credit as large as the charges, a 100 % discount, the customer's balance):
        // settled as issued, as Stripe does.
        status: amountDue === 0 ? "paid" : "open",
        paidAt: amountDue === 0 ? event.occurredAt : null,
      });
      break;
    }
    case T.PaymentFailed:
      next.attempts = event.data.attempt;
      next.firstFailedAt = state.firstFailedAt ?? event.occurredAt;
      next.nextRetryAt = event.data.next_retry_at === null ? null : new Date(event.data.next_retry_at);
      next.suspendAt = event.data.suspend_at === null ? state.suspendAt : new Date(event.data.suspend_at);
      break;
    case T.InvoicePaid:
      next.attempts = event.data.attempt ?? state.attempts + 1;
      next.paidCents = state.paidCents + event.data.amount_cents;
      next.amountDueCents = 0;
      next.status = "paid";
      next.paidAt = event.occurredAt;
      next.nextRetryAt = null;
      break;
    case T.InvoiceMarkedUncollectible:
      next.status = "uncollectible";
      next.nextRetryAt = null;
      break;
    case T.RefundRequested:
      next.pendingRefundCents = state.pendingRefundCents + event.data.amount_cents;
      next.refundsDueAt = state.refundsDueAt ?? new Date(event.occurredAt.getTime() + REFUND_SWEEP_AFTER_MS);
      break;
    case T.RefundIssued:
      next.refundedCents = state.refundedCents + event.data.amount_cents;
      // v1 (no provider_refund_id) was made before it was recorded: nothing of it was pending.
      if (event.data.provider_refund_id !== null) settlePending(next, event.data.amount_cents);
      break;
    case T.RefundFailed:
      settlePending(next, event.data.amount_cents);
      break;
    case T.CreditNoteIssued:
      next.creditedCents = state.creditedCents + event.data.amount_cents;
      next.amountDueCents = event.data.amount_due_cents;
      // An open invoice credited in full asks nothing more: settled, dunning over.
      if ((state.status === "open" || state.status === "uncollectible") && next.amountDueCents === 0) {
        next.status = "paid";
        next.paidAt = event.occurredAt;
        next.nextRetryAt = null;
      }
      break;
  }
  return withNextDue(next);
}

/** A pending refund completed; the sweep is due no more once none is pending. */
function settlePending(next: InvoiceState, amountCents: Cents): void {
  next.pendingRefundCents -= amountCents;
  if (next.pendingRefundCents === 0) next.refundsDueAt = null;
}

function withNextDue(state: Omit<InvoiceState, "nextDueAt"> & { nextDueAt?: Date | null }): InvoiceState {
  return { ...state, nextDueAt: nextDueAtOf(state) };
}
