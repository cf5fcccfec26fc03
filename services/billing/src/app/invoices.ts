import { createHash, randomBytes } from "node:crypto";
import type { PlanSnapshot } from "@platform/contracts";
import { ALL_ROWS, enterTenant, inTenant, lookupAcrossTenants } from "@platform/database";
import { ConcurrencyConflictError, ConflictError } from "@platform/errors";
import { appendForTenant, type Clock, type EventStore } from "@platform/event-sourcing";
import { discountsOf, invoicesFor } from "../domain/billing-moments";
import type { DunningPolicy } from "../domain/dunning";
import { type Actor, BillingEvent, SYSTEM_ACTOR } from "../domain/events";
import {
  assertRefundable,
  type ChargeOutcome,
  creditSplitOf,
  decide,
  dueStepOf,
  type InvoiceCommand,
  InvoiceNotFoundError,
  type InvoiceState,
  type RefundOutcome,
  refundIdOf,
} from "../domain/invoice-aggregate";
import { documentNumber, type NumberSeries, seriesAggregateId } from "../domain/invoice-numbers";
import { adjustmentLine, overageLines, type PeriodUsage } from "../domain/invoices";
import type { InvoiceLine } from "../domain/lines";
import type { Period } from "../domain/periods";
import { planOfSnapshot } from "../domain/snapshots";
import type { SubscriptionEvent, SubscriptionState } from "../domain/subscriptions";
import type {
  CreditNote,
  Invoice,
  InvoiceLineItem,
  Payment,
  Refund as RefundRow,
} from "../generated/prisma/client";
import { invoiceStateOfRow, lineOfRow } from "./invoice-state";
import type { PaymentProvider } from "./payments/provider";
import { stateOfRow } from "./subscription-state";
import type { SubscriptionService } from "./subscriptions";
import { CROSS_TENANT, type Db, type Tx } from "./tenant";
import { timeOf } from "./test-clock-state";
import type { DueRun } from "./test-clocks";

export interface InvoicingOptions {
  /** Who issues the invoices: the owner of the number series. */
  issuer: string;
  dunning: DunningPolicy;
  /** How long a renewal's draft waits for the closed period's usage before it is finalized without it. */
  usageGraceMs: number;
}

export interface InvoiceDetail {
  invoice: Invoice;
  lines: InvoiceLineItem[];
  payments: Payment[];
  creditNotes: CreditNote[];
  refunds: RefundRow[];
}

/** The most steps one invoice runner takes for one organization in one run (a year of dunning and then some). */
const MAX_STEPS_PER_RUN = 64;

/** A long finalization queue (50 at once) waits its turn at the series' lock instead of timing out. */
const SERIES_TX = { maxWait: 30_000, timeout: 30_000 };

/**
 * Invoices, payments and dunning (docs/billing.md). Drafts are made in the subscription's own
 * transaction by its billing moments (`onSubscriptionDecided`); everything after is a due step of the
 * invoice, run by `runDueFor(account, now)` — finalization (numbered), the first charge, each retry,
 * the completion of a refund a crash left pending,
 * the suspension — so the scheduler, a test clock and a request that wants it "at once" run the same
 * steps, and none reads the wall clock: `now` is always passed in.
 *
 * The provider is called outside any transaction (a charge can take seconds); its answer is appended
 * at the invoice version read before the call, with the subscription's consequence (past due,
 * reactivated) in the same transaction. A concurrent step on the same invoice makes the append a
 * `concurrency_conflict`, and the provider's idempotency key (`<invoice>:<attempt>`) makes the retry
 * of that attempt the same payment, not a second one.
 */
export class InvoiceService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore<Tx>,
    private readonly clock: Clock,
    private readonly subscriptions: SubscriptionService,
    private readonly provider: PaymentProvider,
    private readonly options: InvoicingOptions,
  ) {
    subscriptions.onDecided((tx, before, events, now) => this.onSubscriptionDecided(tx, before, events, now));
  }

  /** The drafts a subscription's decision implies, in its transaction (src/domain/billing-moments.ts). */
  async onSubscriptionDecided(
    tx: Tx,
    before: SubscriptionState | null,
    events: readonly SubscriptionEvent[],
    now: Date,
  ): Promise<void> {
    for (const draft of invoicesFor(before, events)) {
      if (!before) continue;
      const usageKnown =
        draft.usagePeriod === null ||
        (await tx.usagePeriod.findUnique({
          where: {
            subscriptionId_periodStart: { subscriptionId: before.id, periodStart: draft.usagePeriod.start },
          },
        })) !== null;
      const finalizeAt = usageKnown ? now : new Date(now.getTime() + this.options.usageGraceMs);
      await this.draft(tx, before.accountId, before.id, { ...draft, finalizeAt }, now);
    }
  }

  /** A new draft in the caller's tenant transaction; returns its id. */
  async draft(
    tx: Tx,
    accountId: string,
    subscriptionId: string,
    draft: Omit<Extract<InvoiceCommand, { kind: "draft" }>, "kind" | "id" | "subscriptionId">,
    now: Date,
  ): Promise<string> {
    const id = `in_${randomBytes(12).toString("hex")}`;
    const events = decide(null, { kind: "draft", id, subscriptionId, ...draft }, now);
    await appendForTenant(this.store, tx, {
      aggregate: { type: "invoice", id, accountId },
      expectedVersion: 0,
      events,
      actor: SYSTEM_ACTOR,
      now,
    });
    return id;
  }

  /**
   * usage's UsagePeriodClosed, in the processes projector's transaction: overages that arrived after
   * the renewal's invoice was finalized without them (past its grace), or of a subscription's last
   * period (ended, never renewed: canceled now, its period ends at the cancellation), get an invoice of
   * their own, in arrears. Nothing for a trial's period, when the renewal
   * is still ahead or its draft is waiting (they read `usage_periods`), or when an invoice already has
   * overage lines for the period — so a redelivered close bills nothing twice.
   */
  async billLateUsage(
    tx: Tx,
    usage: { accountId: string; subscriptionId: string; period: Period; totals: PeriodUsage },
    at?: Date,
  ): Promise<void> {
    await enterTenant(tx, usage.accountId);
    // The subscription's row lock orders this with the renewal (which updates the row) and with the
    // finalization of its invoice (which takes the lock, see finalize): each decides after the other
    // committed, so a close that arrives while they run is billed by one of them, never by neither.
    await lockSubscription(tx, usage.subscriptionId);
    const subscription = await tx.subscription.findUnique({ where: { id: usage.subscriptionId } });
    if (!subscription) return;
    // On a test clock, at the clock's time (docs/billing.md, Test clocks); a deleted clock's
    // subscription is frozen for good, so its late usage is not billed (nor retried forever).
    let now: Date;
    try {
      now = at ?? (await timeOf(tx, subscription, this.clock));
    } catch (error) {
      if (error instanceof ConflictError && error.code === "test_clock_deleted") return;
      throw error;
    }
    // A trial's usage is never billed, whether the trial converted, lapsed or was canceled.
    if (subscription.trialEnd && usage.period.end <= subscription.trialEnd) return;
    const ended = subscription.status === "ended";
    if (!ended && subscription.currentPeriodStart < usage.period.end) return;
    const renewal = await tx.invoice.findFirst({
      where: { subscriptionId: subscription.id, usagePeriodStart: usage.period.start },
    });
    if (renewal?.status === "draft") return;
    const billed = await tx.invoiceLineItem.count({
      where: {
        accountId: usage.accountId,
        kind: "overage",
        periodStart: usage.period.start,
        invoiceId: {
          in: (
            await tx.invoice.findMany({ where: { subscriptionId: subscription.id }, select: { id: true } })
          ).map((row) => row.id),
        },
      },
    });
    if (billed > 0) return;
    const plan = (renewal?.usagePlan ?? subscription.plan) as unknown as PlanSnapshot;
    const lines = overageLines(planOfSnapshot(plan), usage.period, usage.totals);
    if (lines.length === 0) return;
    await this.draft(
      tx,
      usage.accountId,
      subscription.id,
      {
        currency: plan.currency,
        billingReason: "subscription_cycle",
        lines,
        period: usage.period,
        usagePeriod: null,
        usagePlan: null,
        finalizeAt: now,
      },
      now,
    );
  }

  async list(accountId: string): Promise<Invoice[]> {
    return inTenant(this.db, accountId, (tx) =>
      tx.invoice.findMany({ where: { accountId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] }),
    );
  }

  async get(accountId: string, invoiceId: string): Promise<InvoiceDetail> {
    return inTenant(this.db, accountId, async (tx) => {
      const invoice = await this.require(tx, invoiceId);
      const where = { invoiceId };
      return {
        invoice,
        lines: await tx.invoiceLineItem.findMany({ where, orderBy: { position: "asc" } }),
        payments: await tx.payment.findMany({ where, orderBy: { attempt: "asc" } }),
        creditNotes: await tx.creditNote.findMany({ where, orderBy: { issuedAt: "asc" } }),
        refunds: await tx.refund.findMany({ where, orderBy: { requestedAt: "asc" } }),
      };
    });
  }

  /** When the organization's invoices next have a step due (a test clock stops there), or null. */
  async nextDueAt(accountId: string): Promise<Date | null> {
    return inTenant(this.db, accountId, (tx) => this.nextDueIn(tx, accountId));
  }

  /** `nextDueAt` in the caller's tenant transaction (a test clock's step, app/test-clocks.ts). */
  async nextDueIn(tx: Tx, accountId: string): Promise<Date | null> {
    const next = await tx.invoice.findFirst({
      where: { accountId, nextDueAt: { not: null } },
      orderBy: { nextDueAt: "asc" },
      select: { nextDueAt: true },
    });
    return next?.nextDueAt ?? null;
  }

  /**
   * Runs every invoice step due at `now` for every organization (the scheduler). An organization whose
   * step fails is left for the next run; the others go on.
   */
  async runDue(
    now: Date = this.clock.now(),
  ): Promise<{ steps: number; failures: { accountId: string; error: unknown }[] }> {
    const due = await this.db.$transaction(async (tx) => {
      const invoices = await lookupAcrossTenants(tx, CROSS_TENANT.invoices, ALL_ROWS, () =>
        tx.invoice.findMany({
          where: { nextDueAt: { lte: now } },
          select: { accountId: true },
          distinct: ["accountId"],
        }),
      );
      // An organization on a test clock moves only when its clock is advanced (app/test-clocks.ts).
      const clocked = await lookupAcrossTenants(tx, CROSS_TENANT.subscriptions, ALL_ROWS, () =>
        tx.subscription.findMany({
          where: { testClockId: { not: null }, accountId: { in: invoices.map((i) => i.accountId) } },
          select: { accountId: true },
        }),
      );
      const skip = new Set(clocked.map((row) => row.accountId));
      return invoices.filter((row) => !skip.has(row.accountId));
    });
    let steps = 0;
    const failures: { accountId: string; error: unknown }[] = [];
    for (const { accountId } of due) {
      try {
        steps += await this.runDueFor(accountId, now);
      } catch (error) {
        failures.push({ accountId, error });
      }
    }
    return { steps, failures };
  }

  /**
   * Runs what is due for one organization's invoices at `now`, oldest due first, until nothing is:
   * what a test clock calls at each moment it stops at. Returns how many steps ran.
   */
  async runDueFor(accountId: string, now: Date = this.clock.now()): Promise<number> {
    let steps = 0;
    for (; steps < MAX_STEPS_PER_RUN; steps++) {
      const next = await inTenant(this.db, accountId, async (tx) => {
        if (await tx.closedAccount.findUnique({ where: { accountId } })) return null;
        return tx.invoice.findFirst({
          where: { accountId, nextDueAt: { lte: now } },
          orderBy: [{ nextDueAt: "asc" }, { id: "asc" }],
        });
      });
      if (!next) break;
      await this.step(invoiceStateOfRow(next), now);
    }
    return steps;
  }

  /**
   * `runDueFor` in a test clock's transaction for the moment (app/test-clocks.ts `ClockedWork`): the
   * finalizations and suspensions due run in it; a charge or retry reads its invoice in it and is
   * returned as `afterCommit` (the provider is never called inside a transaction), as is the completion
   * of refunds still pending, after which the clock asks again at the same moment.
   */
  async runDueIn(tx: Tx, accountId: string, now: Date): Promise<DueRun> {
    if (await tx.closedAccount.findUnique({ where: { accountId } })) return { steps: 0 };
    let steps = 0;
    for (; steps < MAX_STEPS_PER_RUN; steps++) {
      const next = await tx.invoice.findFirst({
        where: { accountId, nextDueAt: { lte: now } },
        orderBy: [{ nextDueAt: "asc" }, { id: "asc" }],
      });
      if (!next) break;
      const state = invoiceStateOfRow(next);
      switch (dueStepOf(state, now)) {
        case "finalize":
          await this.finalize(accountId, next.id, now, tx);
          break;
        case "charge":
        case "retry": {
          const read = await this.readAttempt(tx, next.id, null, now);
          return {
            steps,
            afterCommit: () => this.recordAttempt(read, null, SYSTEM_ACTOR, now).then(() => 1),
          };
        }
        case "suspend":
          await this.suspendIn(tx, next, now);
          break;
        case "refund":
          // Completing a refund calls the provider: after the moment's commit, like a charge.
          return { steps, afterCommit: () => this.completePendingRefunds(state, now).then(() => 1) };
        case null:
          return { steps };
      }
    }
    return { steps };
  }

  private async step(state: InvoiceState, now: Date): Promise<void> {
    switch (dueStepOf(state, now)) {
      case "finalize":
        await this.finalize(state.accountId, state.id, now);
        return;
      case "charge":
      case "retry":
        await this.attempt(state.accountId, state.id, null, SYSTEM_ACTOR, now);
        return;
      case "suspend":
        await inTenant(this.db, state.accountId, async (tx) =>
          this.suspendIn(tx, await this.require(tx, state.id), now),
        );
        return;
      case "refund":
        await this.completePendingRefunds(state, now);
        return;
      case null:
        return;
    }
  }

  /** Dunning's last step on an invoice read in this transaction: uncollectible, and the subscription suspended. */
  private async suspendIn(tx: Tx, row: Invoice, now: Date): Promise<void> {
    await this.execute(tx, row, { kind: "mark_uncollectible" }, SYSTEM_ACTOR, now);
    const subscription = await this.subscriptionOf(tx, row);
    if (subscription?.status === "past_due")
      await this.subscriptions.executeIn(
        tx,
        row.accountId,
        SYSTEM_ACTOR,
        () => ({
          kind: "suspend",
          invoiceId: row.id,
          reason: "payment_overdue",
        }),
        now,
      );
  }

  /**
   * Finalizes a draft: its lines, the closed period's overages from usage, the subscription's discounts,
   * and the issuer's next invoice number, in one transaction holding the series' lock: its own, or
   * `within` (a test clock's moment, app/test-clocks.ts, which waits for the lock as SERIES_TX does).
   */
  async finalize(
    accountId: string,
    invoiceId: string,
    now: Date = this.clock.now(),
    within?: Tx,
  ): Promise<Invoice> {
    return this.seriesTransaction(accountId, within, async (tx) => {
      const row = await this.require(tx, invoiceId);
      const state = invoiceStateOfRow(row);
      const lines = (
        await tx.invoiceLineItem.findMany({ where: { invoiceId }, orderBy: { position: "asc" } })
      ).map(lineOfRow);
      // Ordered with a late close's billing by the subscription's lock (billLateUsage).
      if (state.usagePeriodStart !== null) await lockSubscription(tx, state.subscriptionId);
      const usage =
        state.usagePeriodStart === null
          ? null
          : await tx.usagePeriod.findUnique({
              where: {
                subscriptionId_periodStart: {
                  subscriptionId: state.subscriptionId,
                  periodStart: state.usagePeriodStart,
                },
              },
            });
      const subscription = await this.subscriptionOf(tx, row);
      if (state.status !== "draft")
        throw new ConflictError("invoice_finalized", `invoice ${row.number} is final`);
      const number = await this.nextNumber(tx, "INV", accountId, invoiceId, now);
      // Read under the series' lock, which every finalization holds to its commit: a balance or an
      // adjustment another finalization used is seen as used.
      const adjustments = await this.pendingAdjustments(tx, row);
      const balanceCents = await this.balanceIn(tx, accountId, row.currency);
      await this.execute(
        tx,
        row,
        {
          kind: "finalize",
          lines,
          usage: (usage?.totals ?? {}) as PeriodUsage,
          adjustments,
          balanceCents,
          discounts: subscription ? discountsOf(stateOfRow(subscription)) : [],
          number,
          issuer: this.options.issuer,
        },
        SYSTEM_ACTOR,
        now,
      );
      const finalized = await this.require(tx, invoiceId);
      // The discounts it used count one more invoice each (a once-only one is then spent).
      if (subscription && finalized.discountIds.length > 0)
        await this.subscriptions.executeIn(
          tx,
          accountId,
          SYSTEM_ACTOR,
          () => ({ kind: "redeem_discounts", invoiceId, discountIds: finalized.discountIds }),
          now,
        );
      return finalized;
    });
  }

  /** `work` in the caller's tenant transaction, or in one of its own scoped to the tenant (SERIES_TX). */
  private async seriesTransaction<T>(
    accountId: string,
    within: Tx | undefined,
    work: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    if (within) return work(within);
    return this.db.$transaction(async (tx) => {
      await enterTenant(tx, accountId);
      return work(tx);
    }, SERIES_TX);
  }

  /**
   * The customer's balance (Stripe's customer balance) in the caller's tenant transaction: credit
   * carried by invoices whose credits exceeded their charges, plus credit notes' credit to the balance,
   * minus what invoices have applied of it. Every term is a column the invoice events write, so the
   * balance is rebuilt with them.
   */
  async balanceIn(tx: Tx, accountId: string, currency: string): Promise<number> {
    const where = { accountId, currency };
    const invoices = await tx.invoice.aggregate({
      where,
      _sum: { creditCarriedCents: true, appliedBalanceCents: true },
    });
    const notes = await tx.creditNote.aggregate({ where, _sum: { balanceCreditCents: true } });
    return (
      (invoices._sum.creditCarriedCents ?? 0) +
      (notes._sum.balanceCreditCents ?? 0) -
      (invoices._sum.appliedBalanceCents ?? 0)
    );
  }

  /** The organization's customer balance (what its next invoices are paid from first). */
  async balance(accountId: string, currency = "USD"): Promise<number> {
    return inTenant(this.db, accountId, (tx) => this.balanceIn(tx, accountId, currency));
  }

  /**
   * usage's UsageAdjusted, in the processes projector's transaction: recorded once per adjustment
   * (UsageAdjustmentRecorded at version 0 of its own aggregate, so a redelivery or a second projector
   * records nothing), billed on the subscription's next finalized invoice. A subscription with no next
   * invoice (canceled or ended) gets one of its own for it, finalized at the next due run. An
   * adjustment of a trial's period is not recorded: a trial's usage is never billed.
   */
  async recordUsageAdjustment(
    tx: Tx,
    adjustmentId: string,
    data: {
      account_id: string;
      subscription_id: string;
      period_start: number;
      period_end: number;
      metric: string;
      quantity: number;
      reason: string;
      idempotency_key: string | null;
    },
  ): Promise<void> {
    await enterTenant(tx, data.account_id);
    const subscription = await tx.subscription.findUnique({ where: { id: data.subscription_id } });
    if (!subscription || subscription.accountId !== data.account_id) return;
    if (subscription.trialEnd && data.period_end <= subscription.trialEnd.getTime()) return;
    if ((await this.store.currentVersion(tx, adjustmentId)) > 0) return;
    let now: Date;
    try {
      now = await timeOf(tx, subscription, this.clock);
    } catch (error) {
      if (error instanceof ConflictError && error.code === "test_clock_deleted") return;
      throw error;
    }
    await this.store.append(tx, {
      aggregate: { type: "usage_adjustment", id: adjustmentId, tenantId: data.account_id },
      expectedVersion: 0,
      events: [
        {
          type: BillingEvent.UsageAdjustmentRecorded,
          data: {
            account_id: data.account_id,
            adjustment_id: adjustmentId,
            subscription_id: data.subscription_id,
            period_start: data.period_start,
            period_end: data.period_end,
            metric: data.metric,
            quantity: data.quantity,
            reason: data.reason,
            idempotency_key: data.idempotency_key,
            occurred_at: now.getTime(),
            actor: SYSTEM_ACTOR,
          },
        },
      ],
    });
    if (subscription.status !== "ended" && subscription.status !== "canceled") return;
    const waiting = await tx.invoice.count({ where: { subscriptionId: subscription.id, status: "draft" } });
    if (waiting > 0) return;
    const plan = subscription.plan as unknown as PlanSnapshot;
    await this.draft(
      tx,
      data.account_id,
      subscription.id,
      {
        currency: plan.currency,
        billingReason: "subscription_cycle",
        lines: [],
        period: { start: new Date(data.period_start), end: new Date(data.period_end) },
        usagePeriod: null,
        usagePlan: null,
        finalizeAt: now,
      },
      now,
    );
  }

  /**
   * The subscription's adjustments not billed yet, in the log's order, priced (domain/invoices.ts
   * adjustmentLine) at the plan their period was billed at — the renewal invoice's usage plan, or the
   * subscription's for its last period — against the period's closed total plus the adjustments billed
   * before. One whose period's close billing has not seen yet waits for a later invoice.
   */
  private async pendingAdjustments(
    tx: Tx,
    invoice: Invoice,
  ): Promise<{ ids: string[]; lines: InvoiceLine[] }> {
    const pending = await tx.usageAdjustment.findMany({
      where: { subscriptionId: invoice.subscriptionId, invoiceId: null },
      orderBy: { position: "asc" },
    });
    const ids: string[] = [];
    const lines: InvoiceLine[] = [];
    if (pending.length === 0) return { ids, lines };
    const subscription = await this.subscriptionOf(tx, invoice);
    // The period's total so far, by period and metric: closed total + adjustments billed, then each one priced here.
    const totals = new Map<string, number>();
    for (const adjustment of pending) {
      const closed = await tx.usagePeriod.findUnique({
        where: {
          subscriptionId_periodStart: {
            subscriptionId: adjustment.subscriptionId,
            periodStart: adjustment.periodStart,
          },
        },
      });
      if (!closed) continue;
      const key = `${adjustment.periodStart.toISOString()}:${adjustment.metric}`;
      let before = totals.get(key);
      if (before === undefined) {
        const billed = await tx.usageAdjustment.aggregate({
          where: {
            subscriptionId: adjustment.subscriptionId,
            periodStart: adjustment.periodStart,
            metric: adjustment.metric,
            invoiceId: { not: null },
          },
          _sum: { quantity: true },
        });
        before =
          ((closed.totals as Record<string, number>)[adjustment.metric] ?? 0) + (billed._sum.quantity ?? 0);
      }
      const renewal = await tx.invoice.findFirst({
        where: { subscriptionId: adjustment.subscriptionId, usagePeriodStart: adjustment.periodStart },
      });
      const plan = (renewal?.usagePlan ?? subscription?.plan) as unknown as PlanSnapshot | undefined;
      if (!plan) continue;
      const line = adjustmentLine(
        planOfSnapshot(plan),
        {
          id: adjustment.id,
          period: { start: adjustment.periodStart, end: adjustment.periodEnd },
          metric: adjustment.metric,
          quantity: adjustment.quantity,
        },
        before,
      );
      ids.push(adjustment.id);
      if (line) lines.push(line);
      totals.set(key, before + adjustment.quantity);
    }
    return { ids, lines };
  }

  /**
   * Pays an open (or uncollectible) invoice now, with the subscription's payment method or the one
   * given, which then becomes the subscription's. A decline is recorded, then answered 409
   * `payment_declined` with the provider's code.
   */
  async pay(
    accountId: string,
    invoiceId: string,
    paymentMethodId: string | null,
    actor: Actor,
    now: Date = this.clock.now(),
  ): Promise<InvoiceDetail> {
    const outcome = await this.attempt(accountId, invoiceId, paymentMethodId, actor, now);
    if (outcome.kind === "failed")
      throw new ConflictError("payment_declined", `the payment was declined: ${outcome.code}`, {
        details: { failure_code: outcome.code, payment_id: outcome.paymentId },
      });
    return this.get(accountId, invoiceId);
  }

  /**
   * Issues a credit note for a finalized invoice (never an edit of it), numbered in its own series. What
   * it credits beyond what the invoice still asks goes to the customer's balance, or with `refund`, back
   * to the payment method, Stripe's and Kill Bill's way: the refund is recorded pending (RefundRequested,
   * its id a function of the note's) in the note's own transaction, before the provider hears of it;
   * then the provider refunds with that id as its idempotency key, and the outcome is recorded
   * (`completeRefund`). Money never leaves without a note that says so, and a pending refund is
   * completed — by the retry, or by the scheduler (step "refund") — never made twice.
   *
   * With `refund`, `requestKey` (the request's Idempotency-Key) fixes the note's id: a retry of a request
   * that died after the note was committed finds the note and completes its refund instead of issuing
   * another (so on one invoice that key names that note for good, even after the key's 24 h).
   */
  async creditNote(
    accountId: string,
    invoiceId: string,
    request: { amountCents: number; reason: string; refund?: boolean },
    actor: Actor,
    now: Date = this.clock.now(),
    requestKey: string | null = null,
  ): Promise<CreditNote> {
    const { refund: wanted, ...credit } = request;
    const creditNoteId =
      wanted && requestKey
        ? `cn_${createHash("sha256").update(`${accountId}:${invoiceId}:${requestKey}`).digest("hex").slice(0, 24)}`
        : `cn_${randomBytes(12).toString("hex")}`;
    const issued = await this.db.$transaction(async (tx) => {
      await enterTenant(tx, accountId);
      const row = await this.require(tx, invoiceId);
      const existing = await tx.creditNote.findUnique({ where: { id: creditNoteId } });
      if (existing) return existing;
      const state = invoiceStateOfRow(row);
      // Decided without a number, so what is refused is refused before a number is taken: first the
      // note's own refusals (more than is left to credit, a draft), then the refund's.
      decide(state, { kind: "credit", creditNoteId, number: "-", ...credit }, now);
      const command = {
        kind: "credit",
        creditNoteId,
        ...credit,
        refund: wanted ? await this.refundOf(tx, state, creditNoteId, credit.amountCents) : null,
      } as const;
      decide(state, { ...command, number: "-" }, now);
      const number = await this.nextNumber(tx, "CN", accountId, creditNoteId, now);
      await this.execute(tx, row, { ...command, number }, actor, now);
      await this.afterSettled(tx, await this.require(tx, invoiceId), now);
      const note = await tx.creditNote.findUnique({ where: { id: creditNoteId } });
      if (!note) throw new Error(`credit note ${creditNoteId} was not projected`);
      return note;
    }, SERIES_TX);
    if (!wanted) return issued;
    const refund = await this.completeRefund(accountId, refundIdOf(creditNoteId), actor, now);
    if (refund?.status === "failed")
      throw new ConflictError("refund_failed", `the provider refused the refund: ${refund.failureCode}`, {
        details: {
          failure_code: refund.failureCode,
          credit_note_id: creditNoteId,
          refund_id: refund.id,
          balance_credit_cents: refund.amountCents,
        },
      });
    return inTenant(this.db, accountId, async (tx) => {
      const note = await tx.creditNote.findUnique({ where: { id: creditNoteId } });
      if (!note) throw new Error(`credit note ${creditNoteId} disappeared`);
      return note;
    });
  }

  /** The refund a credit note of `amountCents` would record: its whole part beyond what is asked, of the successful payment. */
  private async refundOf(tx: Tx, state: InvoiceState, creditNoteId: string, amountCents: number) {
    const { beyond } = creditSplitOf(state, amountCents);
    assertRefundable(state, beyond, beyond);
    const payment = await tx.payment.findFirst({
      where: { invoiceId: state.id, status: "succeeded" },
      orderBy: { attempt: "desc" },
    });
    if (!payment) throw new Error(`invoice ${state.id} was paid without a successful payment`);
    return {
      refundId: refundIdOf(creditNoteId),
      creditNoteId,
      paymentId: payment.id,
      paymentMethodId: payment.paymentMethodId,
      provider: this.provider.name,
      amountCents: beyond,
    };
  }

  /**
   * Completes a pending refund: the provider refunds under the refund's id (a second call with it, from a
   * retry or the scheduler, refunds nothing more), then RefundIssued or RefundFailed is appended if the
   * refund is still pending then — whoever records second records nothing. A provider that throws
   * (timeout, crash) leaves it pending for the next try. Returns the refund's row as it ends, or null
   * when there is no such refund.
   */
  async completeRefund(accountId: string, refundId: string, actor: Actor, now: Date = this.clock.now()) {
    const pending = await inTenant(this.db, accountId, (tx) =>
      tx.refund.findUnique({ where: { id: refundId } }),
    );
    if (pending?.status !== "pending") return pending;
    const result = await this.provider.refund({
      invoiceId: pending.invoiceId,
      accountId,
      paymentId: pending.paymentId ?? "",
      paymentMethodId: pending.paymentMethodId,
      amountCents: pending.amountCents,
      currency: pending.currency,
      idempotencyKey: refundId,
    });
    const outcome: RefundOutcome =
      result.status === "succeeded"
        ? {
            kind: "succeeded",
            providerRefundId: result.refundId,
            paymentId: pending.paymentId,
            paymentMethodId: pending.paymentMethodId,
          }
        : { kind: "failed", code: result.code, message: result.message };
    // The outcome does not depend on the invoice's version: a concurrent step only makes it try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTenant(this.db, accountId, async (tx) => {
          const refund = await tx.refund.findUnique({ where: { id: refundId } });
          if (refund?.status !== "pending") return refund;
          const row = await this.require(tx, refund.invoiceId);
          const recorded = { refundId: refund.id, ...refund };
          await this.execute(tx, row, { kind: "record_refund", refund: recorded, outcome }, actor, now);
          return tx.refund.findUnique({ where: { id: refundId } });
        });
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt >= 3) throw error;
      }
    }
  }

  /** The scheduler's step "refund": completes every refund of the invoice still pending. */
  private async completePendingRefunds(state: InvoiceState, now: Date): Promise<void> {
    const pending = await inTenant(this.db, state.accountId, (tx) =>
      tx.refund.findMany({ where: { invoiceId: state.id, status: "pending" }, select: { id: true } }),
    );
    for (const { id } of pending) await this.completeRefund(state.accountId, id, SYSTEM_ACTOR, now);
  }

  /** One payment attempt: read, charge outside a transaction, record at the version read. */
  private async attempt(
    accountId: string,
    invoiceId: string,
    paymentMethodId: string | null,
    actor: Actor,
    now: Date,
  ): Promise<ChargeOutcome> {
    const read = await inTenant(this.db, accountId, (tx) =>
      this.readAttempt(tx, invoiceId, paymentMethodId, now),
    );
    return this.recordAttempt(read, paymentMethodId, actor, now);
  }

  /** An attempt's read, in the caller's tenant transaction: the invoice and the method to charge. */
  private async readAttempt(
    tx: Tx,
    invoiceId: string,
    paymentMethodId: string | null,
    now: Date,
  ): Promise<{ row: Invoice; method: string | null }> {
    const row = await this.require(tx, invoiceId);
    const subscription = await this.subscriptionOf(tx, row);
    // Refuses a paid invoice or a draft before anything is charged.
    decide(invoiceStateOfRow(row), probe, now);
    return { row, method: paymentMethodId ?? subscription?.paymentMethodId ?? null };
  }

  /** An attempt after its read: the charge (outside any transaction), then its outcome at the version read. */
  private async recordAttempt(
    { row, method }: { row: Invoice; method: string | null },
    paymentMethodId: string | null,
    actor: Actor,
    now: Date,
  ): Promise<ChargeOutcome> {
    const { accountId } = row;
    const invoiceId = row.id;
    const attempt = row.attempts + 1;
    const idempotencyKey = `${row.id}:${attempt}`;
    const outcome: ChargeOutcome = method
      ? outcomeOf(
          await this.provider.charge({
            invoiceId: row.id,
            accountId,
            amountCents: row.amountDueCents,
            currency: row.currency,
            paymentMethodId: method,
            attempt,
            idempotencyKey,
          }),
        )
      : {
          kind: "failed",
          paymentId: paymentIdOf(idempotencyKey),
          code: "no_payment_method",
          message: "no payment method is on file",
        };
    await inTenant(this.db, accountId, async (tx) => {
      const current = await this.require(tx, invoiceId);
      if (current.version !== row.version) throw new ConcurrencyConflictError(row.id, row.version);
      await this.execute(
        tx,
        current,
        {
          kind: "record_attempt",
          outcome,
          paymentMethodId: method,
          provider: method ? this.provider.name : "none",
          policy: this.options.dunning,
        },
        actor,
        now,
      );
      const subscription = await this.subscriptionOf(tx, current);
      if (outcome.kind === "failed") {
        if (subscription?.status === "active")
          await this.subscriptions.executeIn(
            tx,
            accountId,
            SYSTEM_ACTOR,
            () => ({
              kind: "payment_failed",
              invoiceId: row.id,
              failureCode: outcome.code,
            }),
            now,
          );
        return;
      }
      // A new card that paid becomes the subscription's, so the next renewal is charged on it.
      if (paymentMethodId && subscription && subscription.paymentMethodId !== paymentMethodId)
        await this.subscriptions.executeIn(
          tx,
          accountId,
          actor,
          () => ({
            kind: "attach_payment_method",
            method: { id: paymentMethodId, kind: "card", brand: null, last4: null },
          }),
          now,
        );
      await this.afterSettled(tx, await this.require(tx, invoiceId), now);
    });
    return outcome;
  }

  /** A settled invoice reactivates its overdue subscription, once no other invoice of it is overdue. */
  private async afterSettled(tx: Tx, invoice: Invoice, now: Date): Promise<void> {
    if (invoice.status !== "paid") return;
    const subscription = await this.subscriptionOf(tx, invoice);
    if (subscription?.status !== "past_due" && subscription?.status !== "suspended") return;
    const overdue = await tx.invoice.count({
      where: {
        subscriptionId: invoice.subscriptionId,
        OR: [{ status: "uncollectible" }, { status: "open", attempts: { gt: 0 } }],
      },
    });
    if (overdue === 0)
      await this.subscriptions.executeIn(
        tx,
        invoice.accountId,
        SYSTEM_ACTOR,
        () => ({ kind: "reactivate" }),
        now,
      );
  }

  /**
   * The next number of the issuer's series for `now`'s year, appended in the caller's transaction. The
   * series' lock (held to commit) queues concurrent finalizations instead of letting them race for the
   * same version and retry; the store's version check stays the guarantee.
   */
  private async nextNumber(
    tx: Tx,
    series: NumberSeries,
    accountId: string,
    documentId: string,
    now: Date,
  ): Promise<string> {
    const year = now.getUTCFullYear();
    const id = seriesAggregateId(this.options.issuer, series, year);
    await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtext($1))", id);
    const last = await this.store.currentVersion(tx, id);
    const number = documentNumber(series, year, last + 1);
    await this.store.append(tx, {
      aggregate: { type: "number_series", id, tenantId: null },
      expectedVersion: last,
      events: [
        {
          type: BillingEvent.InvoiceNumberAssigned,
          data: {
            issuer: this.options.issuer,
            series,
            year,
            sequence: last + 1,
            number,
            document_id: documentId,
            account_id: accountId,
            occurred_at: now.getTime(),
            actor: SYSTEM_ACTOR,
          },
        },
      ],
    });
    return number;
  }

  private async execute(
    tx: Tx,
    row: Invoice,
    command: InvoiceCommand,
    actor: Actor,
    now: Date,
  ): Promise<void> {
    const events = decide(invoiceStateOfRow(row), command, now);
    await appendForTenant(this.store, tx, {
      aggregate: { type: "invoice", id: row.id, accountId: row.accountId },
      expectedVersion: row.version,
      events,
      actor,
      now,
    });
  }

  private subscriptionOf(tx: Tx, invoice: Pick<Invoice, "subscriptionId">) {
    return tx.subscription.findUnique({ where: { id: invoice.subscriptionId } });
  }

  private async require(tx: Tx, invoiceId: string): Promise<Invoice> {
    const row = await tx.invoice.findUnique({ where: { id: invoiceId } });
    // Another organization's invoice is invisible (row-level security): the same 404 as none.
    if (!row) throw new InvoiceNotFoundError();
    return row;
  }
}

/** What decide is asked before a charge, to refuse a paid invoice or a draft before the provider is called. */
const probe: InvoiceCommand = {
  kind: "record_attempt",
  outcome: { kind: "succeeded", paymentId: "probe" },
  paymentMethodId: null,
  provider: "probe",
  policy: { retry_after_days: [], suspend_after_days: 1 },
};

function outcomeOf(result: Awaited<ReturnType<PaymentProvider["charge"]>>): ChargeOutcome {
  return result.status === "succeeded"
    ? { kind: "succeeded", paymentId: result.paymentId }
    : { kind: "failed", paymentId: result.paymentId, code: result.code, message: result.message };
}

/** An attempt that never reached a provider still gets an id, as deterministic as the provider's. */
const paymentIdOf = (key: string) => `pay_${createHash("sha256").update(key).digest("hex").slice(0, 24)}`;

/** Holds the subscription's row until the transaction ends (a late usage close and a finalization serialize on it). */
async function lockSubscription(tx: Tx, subscriptionId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM subscriptions WHERE id = ${subscriptionId} FOR UPDATE`;
}
