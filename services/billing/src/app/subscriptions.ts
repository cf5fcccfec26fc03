import { randomBytes } from "node:crypto";
import { AuthErrorCodes, accountClosedError } from "@platform/auth";
import { ALL_ROWS, enterTenant, inTenant, lookupAcrossTenants } from "@platform/database";
import { InvalidInputError, NotFoundError, PlatformError } from "@platform/errors";
import { appendForTenant, type Clock, type EventStore } from "@platform/event-sourcing";
import { CATALOG_PLANS } from "../domain/catalog";
import type { Coupon } from "../domain/coupons";
import { type Actor, SYSTEM_ACTOR } from "../domain/events";
import { currentPlans, type Interval, type Plan } from "../domain/plans";
import { type ChangeKind, changeKindOf } from "../domain/proration";
import { planOfSnapshot } from "../domain/snapshots";
import {
  decide,
  dueStepOf,
  type PaymentMethod,
  type SubscriptionCommand,
  type SubscriptionEvent,
  type SubscriptionState,
  TRIAL_PLAN_ID,
} from "../domain/subscriptions";
import type { Subscription } from "../generated/prisma/client";
import { stateOfRow } from "./subscription-state";
import { CROSS_TENANT, type Db, type Tx } from "./tenant";
import { readTestClock, timeOf } from "./test-clock-state";

/** A plan change as asked for: which plan, at which interval, and what the caller meant it to be. */
export interface PlanChange {
  /** null: the plan the subscription has (a change of interval). */
  planId: string | null;
  /** null: the interval the subscription has. */
  interval: Interval | null;
  /** The route's promise: an upgrade route never schedules a downgrade, nor the reverse. */
  expected: ChangeKind[];
}

const NOT_EXPECTED: Record<ChangeKind, string> = {
  upgrade: "not_an_upgrade",
  downgrade: "not_a_downgrade",
  interval_switch: "not_an_interval_switch",
};
const DESCRIBED: Record<ChangeKind, string> = {
  upgrade: "an upgrade (POST .../subscription/upgrade)",
  downgrade: "a downgrade (POST .../subscription/downgrade)",
  interval_switch: "a change of billing cycle (POST .../subscription/billing-cycle)",
};

/**
 * Told of every decision on a subscription, in its transaction, with the state it was decided on:
 * how invoicing drafts the invoices of billing moments (src/app/invoices.ts) atomically with them.
 */
export type SubscriptionListener = (
  tx: Tx,
  before: SubscriptionState,
  events: readonly SubscriptionEvent[],
  now: Date,
) => Promise<void>;

/** The most due steps one subscription takes in one scheduler run (a year of monthly renewals and then some). */
const MAX_STEPS_PER_RUN = 24;

/**
 * The subscription's commands: each reads the state row (no lock), decides with the pure aggregate,
 * and appends at the version it decided on; the row is written by the inline projection in the same
 * transaction. Two concurrent commands on one subscription: one commits, the other gets 409
 * `concurrency_conflict` from the store.
 */
export class SubscriptionService {
  private readonly plans: Map<string, Plan>;
  private readonly listeners: SubscriptionListener[] = [];

  constructor(
    private readonly db: Db,
    private readonly store: EventStore<Tx>,
    private readonly clock: Clock,
    catalog: readonly Plan[] = CATALOG_PLANS,
  ) {
    this.plans = currentPlans(catalog);
  }

  onDecided(listener: SubscriptionListener): void {
    this.listeners.push(listener);
  }

  /** The plans a new subscription or a change is sold: the newest version of each. */
  catalog(): Plan[] {
    return [...this.plans.values()];
  }

  async get(accountId: string): Promise<Subscription> {
    return inTenant(this.db, accountId, (tx) => this.require(tx, accountId));
  }

  /**
   * OrganizationCreated's process (src/projections/processes.ts), in the projector's transaction: the
   * 14-day Professional trial. An organization that already has a subscription gets no second one, so a
   * redelivered or replayed OrganizationCreated starts one trial.
   */
  async startTrial(tx: Tx, accountId: string): Promise<void> {
    await enterTenant(tx, accountId);
    if (await tx.subscription.findUnique({ where: { accountId } })) return;
    const plan = this.plans.get(TRIAL_PLAN_ID);
    if (!plan) throw new Error(`the catalog sells no ${TRIAL_PLAN_ID} plan`);
    const id = `sub_${randomBytes(10).toString("hex")}`;
    const now = this.clock.now();
    await appendForTenant(this.store, tx, {
      aggregate: { type: "subscription", id, accountId },
      expectedVersion: 0,
      events: decide(null, { kind: "start_trial", id, plan }, now),
      actor: SYSTEM_ACTOR,
      now,
    });
  }

  /**
   * A paid subscription again after the last one ended (POST .../subscription): the newest version of
   * the plan, a new period from now. 409 `subscription_exists` while one is live.
   */
  async subscribe(
    accountId: string,
    order: { planId: string; interval: Interval; method: PaymentMethod | null },
    actor: Actor,
  ): Promise<Subscription> {
    const plan = this.plans.get(order.planId);
    if (!plan)
      throw new InvalidInputError("unknown_plan", `there is no plan ${order.planId}`, {
        details: { plans: [...this.plans.keys()] },
      });
    return this.execute(accountId, actor, () => ({
      kind: "subscribe",
      plan,
      interval: order.interval,
      method: order.method,
    }));
  }

  async attachPaymentMethod(accountId: string, method: PaymentMethod, actor: Actor): Promise<Subscription> {
    return this.execute(accountId, actor, () => ({ kind: "attach_payment_method", method }));
  }

  /**
   * Moves to another plan or interval (the current one when not given). `expected` is what the route
   * promises its caller: /upgrade never schedules a downgrade, /downgrade never charges a proration.
   */
  async changePlan(accountId: string, change: PlanChange, actor: Actor): Promise<Subscription> {
    const plan = change.planId === null ? null : this.plans.get(change.planId);
    if (plan === undefined)
      throw new InvalidInputError("unknown_plan", `there is no plan ${change.planId}`, {
        details: { plans: [...this.plans.keys()] },
      });
    return this.execute(accountId, actor, (row) => {
      const state = stateOfRow(row);
      const from = { plan: planOfSnapshot(state.plan), interval: state.interval };
      const to = { plan: plan ?? this.sellable(state.planId), interval: change.interval ?? state.interval };
      const kind = changeKindOf(from, to); // same_plan for the same plan and interval
      if (!change.expected.includes(kind))
        throw new InvalidInputError(
          NOT_EXPECTED[change.expected[0] ?? "upgrade"],
          `moving to ${to.plan.name} (${to.interval}ly) is ${DESCRIBED[kind]}`,
          { details: { change: kind } },
        );
      return { kind: "change_plan", ...to };
    });
  }

  /** The newest version of a plan, for a change of interval on the plan the subscription has. */
  private sellable(planId: string): Plan {
    const plan = this.plans.get(planId);
    if (!plan) throw new InvalidInputError("unknown_plan", `plan ${planId} is no longer sold`);
    return plan;
  }

  async cancelScheduledDowngrade(accountId: string, actor: Actor): Promise<Subscription> {
    return this.execute(accountId, actor, () => ({ kind: "cancel_scheduled_downgrade" }));
  }

  async cancel(
    accountId: string,
    options: { atPeriodEnd: boolean; reason: string | null },
    actor: Actor,
  ): Promise<Subscription> {
    return this.execute(accountId, actor, () => ({ kind: "cancel", ...options }));
  }

  /** Payments' entry points (the payment flow arrives with invoices, docs/billing.md). */
  async paymentFailed(
    accountId: string,
    invoiceId: string | null,
    failureCode: string,
  ): Promise<Subscription> {
    return this.execute(accountId, SYSTEM_ACTOR, () => ({ kind: "payment_failed", invoiceId, failureCode }));
  }

  async suspend(accountId: string, invoiceId: string | null): Promise<Subscription> {
    return this.execute(accountId, SYSTEM_ACTOR, () => ({
      kind: "suspend",
      invoiceId,
      reason: "payment_overdue",
    }));
  }

  async reactivate(accountId: string): Promise<Subscription> {
    return this.execute(accountId, SYSTEM_ACTOR, () => ({ kind: "reactivate" }));
  }

  /**
   * The scheduler: every subscription with a step due at the service's clock (reminders, trial ends,
   * renewals), each step in its own tenant transaction, in time order per subscription, until none is
   * due. Driven by a timer in production and by tests with their TestClock. A subscription whose step
   * fails (a user's command won the race: concurrency_conflict) is left for the next run; the others go on.
   */
  async runDue(): Promise<{ steps: number; failures: { accountId: string; error: unknown }[] }> {
    const now = this.clock.now();
    const due = await this.db.$transaction((tx) =>
      lookupAcrossTenants(tx, CROSS_TENANT.subscriptions, ALL_ROWS, () =>
        tx.subscription.findMany({
          // A subscription on a test clock moves only when its clock is advanced (app/test-clocks.ts).
          where: { nextDueAt: { lte: now }, testClockId: null },
          select: { accountId: true },
          orderBy: { nextDueAt: "asc" },
        }),
      ),
    );
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
   * Every step due for the organization's subscription at `at`, one by one, each stamped `at`: the
   * scheduler's unit, and a test clock's (app/test-clocks.ts), which calls it at each due moment in turn.
   * Returns the steps taken (0: nothing due, or the organization is closed).
   */
  async runDueFor(accountId: string, at: Date): Promise<number> {
    let row = await this.get(accountId);
    let steps = 0;
    // One transaction per step: each step's row says whether another is due.
    while (steps < MAX_STEPS_PER_RUN && dueStepOf(stateOfRow(row), at)) {
      try {
        row = await this.execute(accountId, SYSTEM_ACTOR, () => ({ kind: "run_due" }), at);
      } catch (error) {
        // A closed organization is left alone, as every other path leaves it (execute refuses it).
        if (error instanceof PlatformError && error.code === AuthErrorCodes.accountClosed) break;
        throw error;
      }
      steps += 1;
    }
    return steps;
  }

  /**
   * `runDueFor` in the caller's tenant transaction: a test clock's moment (app/test-clocks.ts), which
   * read what is due in it. The row is read once and then taken from each step's projection; a closed
   * organization takes no step (0), as `execute` refuses it.
   */
  async runDueIn(tx: Tx, accountId: string, at: Date): Promise<number> {
    if (await tx.closedAccount.findUnique({ where: { accountId } })) return 0;
    let row = await this.require(tx, accountId);
    let steps = 0;
    while (steps < MAX_STEPS_PER_RUN && dueStepOf(stateOfRow(row), at)) {
      row = await this.decideOn(tx, row, SYSTEM_ACTOR, () => ({ kind: "run_due" }), at);
      steps += 1;
    }
    return steps;
  }

  /** The organization's time: its test clock's when its subscription follows one, the service's otherwise. */
  async timeFor(accountId: string): Promise<Date> {
    return inTenant(this.db, accountId, async (tx) => {
      const row = await tx.subscription.findUnique({ where: { accountId }, select: { testClockId: true } });
      return timeOf(tx, row ?? { testClockId: null }, this.clock);
    });
  }

  /** Applies a coupon (catalog/coupons.json) to the subscription's next invoices (domain/subscription-discounts.ts). */
  async applyCoupon(accountId: string, coupon: Coupon, actor: Actor): Promise<Subscription> {
    const { name: _name, ...discount } = coupon;
    return this.execute(accountId, actor, () => ({ kind: "apply_discount", discount }));
  }

  async removeDiscount(
    accountId: string,
    discountId: string,
    reason: string | null,
    actor: Actor,
  ): Promise<Subscription> {
    return this.execute(accountId, actor, () => ({ kind: "remove_discount", discountId, reason }));
  }

  /** Invoicing's seam: the discounts an issued invoice used (InvoiceDraft.discounts_used) count one more invoice. */
  async redeemDiscounts(
    accountId: string,
    invoiceId: string | null,
    discountIds: readonly string[],
  ): Promise<Subscription> {
    return this.execute(accountId, SYSTEM_ACTOR, () => ({
      kind: "redeem_discounts",
      invoiceId,
      discountIds,
    }));
  }

  /**
   * The subscription follows the organization's test clock from now on (domain/test-clocks.ts
   * decideAttach). The attachment happens at the clock's time, like everything after it.
   */
  async attachTestClock(accountId: string, testClockId: string, actor: Actor): Promise<Subscription> {
    const clock = await inTenant(this.db, accountId, (tx) => readTestClock(tx, testClockId));
    return this.execute(
      accountId,
      actor,
      () => ({ kind: "attach_test_clock", clock, serviceNow: this.clock.now() }),
      clock.frozenTime,
    );
  }

  /** Reads the state, makes the command from it, decides, appends at the version read. */
  private async execute(
    accountId: string,
    actor: Actor,
    commandFor: (row: Subscription) => SubscriptionCommand,
    at?: Date,
  ): Promise<Subscription> {
    return inTenant(this.db, accountId, (tx) => this.executeIn(tx, accountId, actor, commandFor, at));
  }

  /**
   * `execute` in the caller's tenant transaction (invoicing's payment outcomes, with the invoice's
   * events). `at`: the time to decide at; by default the subscription's own time — its test clock's
   * when it follows one (app/test-clock-state.ts), the service's clock otherwise.
   */
  async executeIn(
    tx: Tx,
    accountId: string,
    actor: Actor,
    commandFor: (row: Subscription) => SubscriptionCommand,
    at?: Date,
  ): Promise<Subscription> {
    // Every path into billing ends here, so a closed organization takes no change from any of them.
    if (await tx.closedAccount.findUnique({ where: { accountId } })) throw accountClosedError(accountId);
    return this.decideOn(tx, await this.require(tx, accountId), actor, commandFor, at);
  }

  /** Decides on the row read in this transaction and appends at its version; returns the projected row. */
  private async decideOn(
    tx: Tx,
    row: Subscription,
    actor: Actor,
    commandFor: (row: Subscription) => SubscriptionCommand,
    at?: Date,
  ): Promise<Subscription> {
    const { accountId } = row;
    const now = at ?? (await timeOf(tx, row, this.clock));
    const before = stateOfRow(row);
    const events = decide(before, commandFor(row), now);
    if (events.length === 0) return row;
    await appendForTenant(this.store, tx, {
      aggregate: { type: "subscription", id: row.id, accountId },
      expectedVersion: row.version,
      events,
      actor,
      now,
    });
    for (const listener of this.listeners) await listener(tx, before, events, now);
    return this.require(tx, accountId);
  }

  private async require(tx: Tx, accountId: string): Promise<Subscription> {
    const row = await tx.subscription.findUnique({ where: { accountId } });
    if (!row) throw new NotFoundError("no_subscription", `organization ${accountId} has no subscription`);
    return row;
  }
}
