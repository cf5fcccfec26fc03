import { BillingEvent, type PlanSnapshot } from "@platform/contracts";
import { ConflictError, InvalidInputError } from "@platform/errors";
import { type AppliedDiscount, discountOn, discountsInEffect } from "./discounts";
import type { BillingPayloads, Decided } from "./events";
import { sumOf } from "./lines";
import type { Cents } from "./money";
import { addDays, periodAt, periodIndexAt } from "./periods";
import { type Interval, mrrOf, type Plan, priceOf } from "./plans";
import { changeKindOf, prorate } from "./proration";
import { intervalOf, planOfSnapshot, snapshotOf } from "./snapshots";
import { type DiscountCommand, decideDiscount, evolveDiscounts } from "./subscription-discounts";
import { type AttachTestClockCommand, decideAttach } from "./test-clocks";

/**
 * The subscription aggregate, one per organization: pure rules, no I/O. `decide` turns a command and
 * the subscription as read into events; `evolve` folds an event into the subscription (what the inline
 * projection writes to `subscriptions`). docs/billing.md states each rule with an example.
 *
 * Statuses: trialing → active (trial converted) ⇄ past_due (a payment failed) → suspended (overdue),
 * back to active when paid; canceled (ends at the period's end, still served until then); ended (no
 * plan: a trial without payment method, a cancellation in force).
 */
export const SUBSCRIPTION_STATUSES = [
  "trialing",
  "active",
  "past_due",
  "suspended",
  "canceled",
  "ended",
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Seed 001: every new organization gets a 14-day Professional trial, reminded 3 days before its end. */
export const TRIAL_DAYS = 14;
export const TRIAL_PLAN_ID = "professional";
export const TRIAL_REMINDER_DAYS = 3;

export interface SubscriptionState {
  id: string;
  accountId: string;
  status: SubscriptionStatus;
  /** The plan version's terms as sold (its snapshot); kept until the subscription changes plan. */
  plan: PlanSnapshot;
  planId: string;
  planVersion: number;
  interval: Interval;
  mrrCents: Cents;
  trialEnd: Date | null;
  trialReminderSent: boolean;
  /** Periods are counted from here (periods.ts): the trial's end at conversion, or an interval switch. */
  billingAnchor: Date;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  /** A downgrade waiting for the end of the period. */
  scheduledPlan: PlanSnapshot | null;
  paymentMethodId: string | null;
  pastDueSince: Date | null;
  /** Canceled: when it ends. Ended: when it ended. */
  endsAt: Date | null;
  /** The next moment the scheduler has something to do (reminder, trial end, renewal), null when nothing. */
  nextDueAt: Date | null;
  /** The version of the subscription's last event (what a command appends after). */
  version: number;
  /** Discounts applied, in the order applied (subscription-discounts.ts); invoices stack them in this order. */
  discounts: AppliedDiscount[];
  /** The test clock the subscription follows (test-clocks.ts), or null: the service's clock. */
  testClockId: string | null;
}

export interface PaymentMethod {
  id: string;
  kind: string;
  brand: string | null;
  last4: string | null;
}

export type SubscriptionCommand =
  | { kind: "start_trial"; id: string; plan: Plan }
  | { kind: "attach_payment_method"; method: PaymentMethod }
  | { kind: "change_plan"; plan: Plan; interval: Interval }
  | { kind: "cancel_scheduled_downgrade" }
  | { kind: "cancel"; atPeriodEnd: boolean; reason: string | null }
  | { kind: "payment_failed"; invoiceId: string | null; failureCode: string }
  | { kind: "suspend"; invoiceId: string | null; reason: string }
  | { kind: "reactivate" }
  /** A paid subscription again after one ended (`subscribe`), with a payment method unless one is on file. */
  | { kind: "subscribe"; plan: Plan; interval: Interval; method: PaymentMethod | null }
  | DiscountCommand
  | AttachTestClockCommand
  /** The scheduler: whatever is due at `now` (reminder, trial end, renewal), one step. */
  | { kind: "run_due" };

type P = BillingPayloads;
type E = typeof BillingEvent;
/** Each event type a subscription has, with its payload as decided (Decided) or as stored. */
type EventUnion<Wrap extends "decided" | "stored"> = {
  [K in SubscriptionEventType]: { type: K; data: Wrap extends "decided" ? Decided<P[K]> : P[K] };
}[SubscriptionEventType];

export type SubscriptionEventType =
  | E["TrialStarted"]
  | E["TrialWillEnd"]
  | E["TrialEnded"]
  | E["PaymentMethodAttached"]
  | E["SubscriptionUpgraded"]
  | E["SubscriptionDowngraded"]
  | E["DowngradeScheduled"]
  | E["DowngradeCanceled"]
  | E["BillingCycleChanged"]
  | E["SubscriptionCanceled"]
  | E["SubscriptionEnded"]
  | E["SubscriptionRenewed"]
  | E["SubscriptionPastDue"]
  | E["SubscriptionSuspended"]
  | E["SubscriptionReactivated"]
  | E["SubscriptionCreated"]
  | E["DiscountApplied"]
  | E["DiscountRemoved"]
  | E["DiscountRedeemed"]
  | E["TestClockAttached"];

export type SubscriptionEvent = EventUnion<"decided">;
export type SubscriptionHistoryEvent = { version: number; occurredAt: Date } & EventUnion<"stored">;

// The generated catalog's constants (no event name is spelled by hand).
const T = BillingEvent;

/**
 * What ChartMogul counts as MRR: a paying subscription's, net of the discounts in effect for the
 * period (`s`'s current one; docs/billing.md, Revenue metrics); a trial, or one that ended, has none.
 */
function mrrFor(
  status: SubscriptionStatus,
  plan: PlanSnapshot,
  s: Partial<Pick<SubscriptionState, "discounts" | "currentPeriodStart">> = {},
): Cents {
  if (status === "trialing" || status === "ended") return 0;
  const version = planOfSnapshot(plan);
  const interval = intervalOf(plan);
  const discounts = s.currentPeriodStart ? discountsInEffect(s.discounts ?? [], s.currentPeriodStart) : [];
  if (discounts.length === 0) return mrrOf(version, interval);
  // Stacked on the interval's price in the order applied, as composeInvoice stacks them on the base fee.
  let price = priceOf(version, interval);
  for (const applied of discounts) price -= discountOn(applied.discount, price);
  return interval === "month" ? price : Math.round(price / 12);
}

/** The fields most events share: the subscription as it stands after the event. */
function standing(
  s: Pick<SubscriptionState, "id" | "currentPeriodStart" | "currentPeriodEnd"> &
    Partial<Pick<SubscriptionState, "discounts">>,
  status: SubscriptionStatus,
  plan: PlanSnapshot,
) {
  return {
    subscription_id: s.id,
    subscription_status: status,
    current_period_start: s.currentPeriodStart.getTime(),
    current_period_end: s.currentPeriodEnd.getTime(),
    mrr_cents: mrrFor(status, plan, s),
  };
}

const refuse = (code: string, message: string) => new ConflictError(code, message);

/** Why a subscription in this status takes no plan change, or null when it does. */
function closedFor(state: SubscriptionState, what: string): ConflictError | null {
  switch (state.status) {
    case "ended":
      return refuse("subscription_ended", `the subscription has ended; ${what} needs a new one`);
    case "canceled":
      return refuse(
        "subscription_canceled",
        `the subscription is canceled and ends at its period's end; no ${what}`,
      );
    case "past_due":
    case "suspended":
      return refuse(
        "subscription_overdue",
        `the subscription has an unpaid invoice; pay it before any ${what}`,
      );
    default:
      return null;
  }
}

/**
 * Statuses whose period's end is a step: a renewal (past due renews and stays past due), or the end of
 * a canceled subscription. A suspended one waits for its reactivation; a trial has its own end.
 */
const PERIOD_ENDS_MATTER: readonly SubscriptionStatus[] = ["active", "past_due", "canceled"];

/** The scheduler's next step for the subscription at `now`, or null when nothing is due. */
export function dueStepOf(
  state: SubscriptionState,
  now: Date,
): "trial_reminder" | "trial_end" | "renewal" | null {
  if (state.status === "trialing" && state.trialEnd) {
    if (now >= state.trialEnd) return "trial_end";
    // A reminder is pointless once the trial is over, so a late scheduler goes straight to its end.
    if (!state.trialReminderSent && now >= addDays(state.trialEnd, -TRIAL_REMINDER_DAYS))
      return "trial_reminder";
    return null;
  }
  if (PERIOD_ENDS_MATTER.includes(state.status) && now >= state.currentPeriodEnd) return "renewal";
  return null;
}

/** When the scheduler next has something to do for this state (stored on the row, so it finds due ones by index). */
export function nextDueAtOf(state: Omit<SubscriptionState, "nextDueAt">): Date | null {
  if (state.status === "trialing" && state.trialEnd)
    return state.trialReminderSent ? state.trialEnd : addDays(state.trialEnd, -TRIAL_REMINDER_DAYS);
  if (PERIOD_ENDS_MATTER.includes(state.status)) return state.currentPeriodEnd;
  return null;
}

/** The events a command implies on the subscription as read (null: none yet), at `now`. */
export function decide(
  state: SubscriptionState | null,
  command: SubscriptionCommand,
  now: Date,
): SubscriptionEvent[] {
  if (command.kind === "start_trial") {
    if (state) throw refuse("subscription_exists", `the organization already has subscription ${state.id}`);
    const plan = snapshotOf(command.plan, "month");
    const trialEnd = addDays(now, TRIAL_DAYS);
    return [
      {
        type: T.TrialStarted,
        data: {
          ...standing(
            { id: command.id, currentPeriodStart: now, currentPeriodEnd: trialEnd },
            "trialing",
            plan,
          ),
          plan,
          trial_end: trialEnd.getTime(),
          trial_days: TRIAL_DAYS,
        },
      },
    ];
  }
  if (!state) throw new NotSubscribedError();

  switch (command.kind) {
    case "attach_payment_method": {
      if (state.status === "ended") throw refuse("subscription_ended", "the subscription has ended");
      if (state.paymentMethodId === command.method.id) return [];
      const { method } = command;
      return [
        {
          type: T.PaymentMethodAttached,
          data: {
            subscription_id: state.id,
            payment_method_id: method.id,
            kind: method.kind,
            brand: method.brand,
            last4: method.last4,
            replaced_payment_method_id: state.paymentMethodId,
          },
        },
      ];
    }
    case "change_plan":
      return decideChange(state, command.plan, command.interval, now);
    case "cancel_scheduled_downgrade":
      if (!state.scheduledPlan) throw refuse("no_scheduled_downgrade", "no downgrade is scheduled");
      return [downgradeCanceled(state)];
    case "cancel":
      return decideCancel(state, command.atPeriodEnd, command.reason, now);
    case "payment_failed":
      if (state.status === "past_due") return [];
      if (state.status !== "active")
        throw refuse("subscription_not_active", `a payment cannot fail on a ${state.status} subscription`);
      return [
        {
          type: T.SubscriptionPastDue,
          data: {
            ...standing(state, "past_due", state.plan),
            invoice_id: command.invoiceId,
            failure_code: command.failureCode,
          },
        },
      ];
    case "suspend":
      if (state.status !== "past_due")
        throw refuse(
          "subscription_not_past_due",
          `only a past-due subscription is suspended, not a ${state.status} one`,
        );
      return [
        {
          type: T.SubscriptionSuspended,
          data: {
            ...standing(state, "suspended", state.plan),
            reason: command.reason,
            invoice_id: command.invoiceId,
          },
        },
      ];
    case "reactivate":
      if (state.status !== "past_due" && state.status !== "suspended")
        throw refuse(
          "subscription_not_overdue",
          `only a past-due or suspended subscription is reactivated, not a ${state.status} one`,
        );
      return [{ type: T.SubscriptionReactivated, data: standing(state, "active", state.plan) }];
    case "run_due":
      return decideDue(state, now);
    case "subscribe":
      return decideSubscribe(state, command.plan, command.interval, command.method, now);
    case "apply_discount":
    case "remove_discount":
    case "redeem_discounts":
      return decideDiscount(state, command, now);
    case "attach_test_clock":
      return decideAttach(state, command);
  }
}

/**
 * A paid subscription again, once the last one ended (a lapsed trial, a cancellation in force): the
 * same aggregate starts a new term (`SubscriptionCreated`, active, a new period anchored now, charged in
 * advance), so the organization keeps one subscription and its history. Refused while one is live
 * (trialing, active, past due, suspended, or canceled but not yet ended): that one is changed instead.
 */
function decideSubscribe(
  state: SubscriptionState,
  plan: Plan,
  interval: Interval,
  method: PaymentMethod | null,
  now: Date,
): SubscriptionEvent[] {
  if (state.status !== "ended")
    throw refuse(
      "subscription_exists",
      `the organization's subscription is ${state.status}; change it instead of starting another`,
    );
  const paymentMethodId = method?.id ?? state.paymentMethodId;
  if (!paymentMethodId)
    throw new InvalidInputError(
      "payment_method_required",
      "a paid subscription needs a payment method: send payment_method_id",
    );
  const attached: SubscriptionEvent[] =
    method && method.id !== state.paymentMethodId
      ? [
          {
            type: T.PaymentMethodAttached,
            data: {
              subscription_id: state.id,
              payment_method_id: method.id,
              kind: method.kind,
              brand: method.brand,
              last4: method.last4,
              replaced_payment_method_id: state.paymentMethodId,
            },
          },
        ]
      : [];
  const snapshot = snapshotOf(plan, interval);
  const first = periodAt(now, interval, 0);
  const term = { id: state.id, currentPeriodStart: first.start, currentPeriodEnd: first.end };
  return [
    ...attached,
    {
      type: T.SubscriptionCreated,
      data: { ...standing(term, "active", snapshot), plan: snapshot, auto_renew: true },
    },
  ];
}

/** A command on an organization that has no subscription yet. */
export class NotSubscribedError extends ConflictError {
  constructor() {
    super("no_subscription", "the organization has no subscription yet");
  }
}

function decideChange(
  state: SubscriptionState,
  plan: Plan,
  interval: Interval,
  now: Date,
): SubscriptionEvent[] {
  const closed = closedFor(state, "plan change");
  if (closed) throw closed;
  const from = { plan: planOfSnapshot(state.plan), interval: state.interval };
  const to = { plan, interval };
  const kind = changeKindOf(from, to); // same_plan for the same plan and interval
  const next = snapshotOf(plan, interval);
  const previousMrr = state.mrrCents;
  // A pending downgrade is superseded by any other change; consumers see it go.
  const superseded = state.scheduledPlan ? [downgradeCanceled(state)] : [];

  if (state.status === "trialing") {
    // Nothing is billed during a trial: every change is immediate and free, the trial period unchanged.
    const common = {
      ...standing(state, "trialing", next),
      previous_plan: state.plan,
      plan: next,
      previous_mrr_cents: previousMrr,
    };
    if (kind === "interval_switch")
      return [{ type: T.BillingCycleChanged, data: { ...common, proration_cents: 0 } }];
    return [
      {
        type: kind === "upgrade" ? T.SubscriptionUpgraded : T.SubscriptionDowngraded,
        data: { ...common, immediate: true, effective_at: now.getTime(), proration_cents: 0 },
      },
    ];
  }

  const period = { start: state.currentPeriodStart, end: state.currentPeriodEnd };
  if (kind === "downgrade") {
    if (
      state.scheduledPlan &&
      state.scheduledPlan.plan_id === next.plan_id &&
      state.scheduledPlan.interval === next.interval
    )
      throw refuse("downgrade_already_scheduled", `a downgrade to ${plan.name} is already scheduled`);
    return [
      {
        type: T.DowngradeScheduled,
        data: {
          ...standing(state, state.status, state.plan),
          plan: state.plan,
          scheduled_plan: next,
          scheduled_mrr_cents: mrrFor("active", next, {
            discounts: state.discounts,
            currentPeriodStart: state.currentPeriodEnd,
          }),
          effective_at: state.currentPeriodEnd.getTime(),
        },
      },
    ];
  }
  const proration = prorate(from, to, period, now);
  const prorationCents = sumOf(proration.lines);
  const after = {
    ...state,
    currentPeriodStart: proration.period.start,
    currentPeriodEnd: proration.period.end,
  };
  const common = {
    ...standing(after, "active", next),
    previous_plan: state.plan,
    plan: next,
    previous_mrr_cents: previousMrr,
  };
  if (kind === "interval_switch")
    return [
      ...superseded,
      { type: T.BillingCycleChanged, data: { ...common, proration_cents: prorationCents } },
    ];
  return [
    ...superseded,
    {
      type: T.SubscriptionUpgraded,
      data: { ...common, immediate: true, effective_at: now.getTime(), proration_cents: prorationCents },
    },
  ];
}

function downgradeCanceled(state: SubscriptionState): SubscriptionEvent {
  if (!state.scheduledPlan) throw new Error("no scheduled downgrade");
  return {
    type: T.DowngradeCanceled,
    data: {
      subscription_id: state.id,
      subscription_status: state.status,
      plan: state.plan,
      canceled_plan: state.scheduledPlan,
    },
  };
}

function decideCancel(
  state: SubscriptionState,
  atPeriodEnd: boolean,
  reason: string | null,
  now: Date,
): SubscriptionEvent[] {
  if (state.status === "ended") throw refuse("subscription_ended", "the subscription has already ended");
  if (state.status === "canceled" && atPeriodEnd)
    throw refuse("subscription_canceled", "the subscription is already canceled at its period's end");
  const superseded = state.scheduledPlan ? [downgradeCanceled(state)] : [];
  // A trial's "period" is the trial: canceled at its end, it ends then instead of converting.
  const canceled = {
    ...standing(state, atPeriodEnd ? "canceled" : "ended", state.plan),
    // Served, and paid for, until it ends: the MRR goes only when it does (ChartMogul's churn).
    mrr_cents: atPeriodEnd ? state.mrrCents : 0,
    plan: state.plan,
    at_period_end: atPeriodEnd,
    ends_at: atPeriodEnd ? state.currentPeriodEnd.getTime() : now.getTime(),
    reason,
  };
  if (atPeriodEnd) return [...superseded, { type: T.SubscriptionCanceled, data: canceled }];
  return [...superseded, { type: T.SubscriptionCanceled, data: canceled }, ended(state, "canceled")];
}

function ended(state: SubscriptionState, reason: "trial_expired" | "canceled"): SubscriptionEvent {
  return {
    type: T.SubscriptionEnded,
    data: {
      subscription_id: state.id,
      subscription_status: "ended",
      plan: state.plan,
      previous_mrr_cents: state.mrrCents,
      mrr_cents: 0,
      reason,
    },
  };
}

function decideDue(state: SubscriptionState, now: Date): SubscriptionEvent[] {
  const step = dueStepOf(state, now);
  if (step === "trial_reminder")
    return [
      {
        type: T.TrialWillEnd,
        data: {
          subscription_id: state.id,
          subscription_status: state.status,
          plan: state.plan,
          trial_end: (state.trialEnd ?? now).getTime(),
          has_payment_method: state.paymentMethodId !== null,
        },
      },
    ];
  if (step === "trial_end") {
    const trialEnd = state.trialEnd ?? now;
    if (!state.paymentMethodId) {
      const over = { ...state, currentPeriodEnd: trialEnd };
      return [
        {
          type: T.TrialEnded,
          data: { ...standing(over, "ended", state.plan), plan: state.plan, converted: false },
        },
        ended(state, "trial_expired"),
      ];
    }
    // Converted: the first paid period starts when the trial ends and anchors every later one.
    const first = periodAt(trialEnd, state.interval, 0);
    const paid = { ...state, currentPeriodStart: first.start, currentPeriodEnd: first.end };
    return [
      {
        type: T.TrialEnded,
        data: { ...standing(paid, "active", state.plan), plan: state.plan, converted: true },
      },
    ];
  }
  if (step === "renewal") {
    if (state.status === "canceled") return [ended(state, "canceled")];
    const index = periodIndexAt(state.billingAnchor, state.interval, state.currentPeriodStart);
    const next = periodAt(state.billingAnchor, state.interval, index + 1);
    const renewed = { ...state, currentPeriodStart: next.start, currentPeriodEnd: next.end };
    if (!state.scheduledPlan)
      return [
        {
          type: T.SubscriptionRenewed,
          data: { ...standing(renewed, state.status, state.plan), plan: state.plan },
        },
      ];
    const plan = state.scheduledPlan;
    return [
      {
        type: T.SubscriptionDowngraded,
        data: {
          ...standing(renewed, state.status, plan),
          previous_plan: state.plan,
          plan,
          immediate: false,
          effective_at: state.currentPeriodEnd.getTime(),
          proration_cents: 0,
          previous_mrr_cents: state.mrrCents,
        },
      },
      { type: T.SubscriptionRenewed, data: { ...standing(renewed, state.status, plan), plan } },
    ];
  }
  return [];
}

/** An event of the subscription folded into it; times come from the event, never the wall clock. */
export function evolve(state: SubscriptionState | null, event: SubscriptionHistoryEvent): SubscriptionState {
  if (event.type === T.TrialStarted) {
    const { data } = event;
    const plan = planOfSnapshot(data.plan);
    return withNextDue({
      id: data.subscription_id,
      accountId: data.account_id,
      status: "trialing",
      plan: data.plan,
      planId: plan.plan_id,
      planVersion: plan.version,
      interval: intervalOf(data.plan),
      mrrCents: data.mrr_cents,
      trialEnd: new Date(data.trial_end),
      trialReminderSent: false,
      billingAnchor: new Date(data.current_period_start),
      currentPeriodStart: new Date(data.current_period_start),
      currentPeriodEnd: new Date(data.current_period_end),
      scheduledPlan: null,
      paymentMethodId: null,
      pastDueSince: null,
      endsAt: null,
      version: event.version,
      discounts: [],
      testClockId: null,
    });
  }
  if (!state) throw new Error(`evolve: ${event.type} on a subscription that does not exist`);
  const next: SubscriptionState = { ...state, version: event.version };
  const { data } = event;
  // Events that carry the subscription as it stands after them.
  if ("subscription_status" in data) next.status = data.subscription_status as SubscriptionStatus;
  if ("mrr_cents" in data) next.mrrCents = data.mrr_cents;
  if ("current_period_start" in data) {
    next.currentPeriodStart = new Date(data.current_period_start);
    next.currentPeriodEnd = new Date(data.current_period_end);
  }
  switch (event.type) {
    case T.TrialWillEnd:
      next.trialReminderSent = true;
      break;
    case T.TrialEnded:
      if (event.data.converted) next.billingAnchor = next.currentPeriodStart;
      else next.endsAt = next.currentPeriodEnd;
      break;
    case T.PaymentMethodAttached:
      next.paymentMethodId = event.data.payment_method_id;
      break;
    case T.SubscriptionUpgraded:
    case T.SubscriptionDowngraded:
      Object.assign(next, onPlan(event.data.plan), { scheduledPlan: null });
      break;
    case T.BillingCycleChanged:
      Object.assign(next, onPlan(event.data.plan), { scheduledPlan: null });
      // A paid switch starts a new period, which anchors the next ones; a trial keeps its own.
      if (state.status !== "trialing") next.billingAnchor = next.currentPeriodStart;
      break;
    case T.DowngradeScheduled:
      next.scheduledPlan = event.data.scheduled_plan;
      break;
    case T.DowngradeCanceled:
      next.scheduledPlan = null;
      break;
    case T.SubscriptionCanceled:
      next.endsAt = new Date(event.data.ends_at);
      break;
    case T.SubscriptionEnded:
      // When the cancellation or the trial said it ends; a scheduler running late does not move it.
      next.endsAt = state.endsAt ?? event.occurredAt;
      next.scheduledPlan = null;
      break;
    case T.SubscriptionRenewed:
      Object.assign(next, onPlan(event.data.plan));
      break;
    case T.SubscriptionPastDue:
      next.pastDueSince = event.occurredAt;
      break;
    case T.SubscriptionSuspended:
      break;
    case T.SubscriptionReactivated:
      next.pastDueSince = null;
      break;
    case T.SubscriptionCreated:
      // A new term: nothing of the ended one carries over but the payment method.
      Object.assign(next, onPlan(event.data.plan), {
        trialEnd: null,
        billingAnchor: next.currentPeriodStart,
        scheduledPlan: null,
        pastDueSince: null,
        endsAt: null,
        // A coupon was for the ended term (Stripe ends a subscription's discounts with it).
        discounts: [],
      });
      break;
    case T.DiscountApplied:
    case T.DiscountRemoved:
      next.discounts = evolveDiscounts(state.discounts, event);
      break;
    case T.DiscountRedeemed:
      // The period whose invoice it reduced: it lowers that period's MRR even once spent.
      next.discounts = evolveDiscounts(state.discounts, event).map((applied) =>
        applied.discount.discount_id === event.data.discount_id
          ? { ...applied, redeemed_in_period: state.currentPeriodStart }
          : applied,
      );
      break;
    case T.TestClockAttached:
      next.testClockId = event.data.test_clock_id;
      break;
  }
  return withNextDue(next);
}

function onPlan(plan: PlanSnapshot): Pick<SubscriptionState, "plan" | "planId" | "planVersion" | "interval"> {
  const version = planOfSnapshot(plan);
  return { plan, planId: version.plan_id, planVersion: version.version, interval: intervalOf(plan) };
}

function withNextDue(
  state: Omit<SubscriptionState, "nextDueAt"> & { nextDueAt?: Date | null },
): SubscriptionState {
  return { ...state, nextDueAt: nextDueAtOf(state) };
}
