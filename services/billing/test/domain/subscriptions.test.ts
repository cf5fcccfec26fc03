import { PlatformError } from "@platform/errors";
import { CATALOG_PLANS } from "../../src/domain/catalog";
import { SYSTEM_ACTOR } from "../../src/domain/events";
import { addDays } from "../../src/domain/periods";
import { currentPlans, type Plan } from "../../src/domain/plans";
import {
  decide,
  dueStepOf,
  evolve,
  type SubscriptionCommand,
  type SubscriptionEvent,
  type SubscriptionHistoryEvent,
  type SubscriptionState,
} from "../../src/domain/subscriptions";

const plans = currentPlans(CATALOG_PLANS);
const plan = (id: string): Plan => {
  const found = plans.get(id);
  if (!found) throw new Error(`no plan ${id}`);
  return found;
};
const ACCOUNT = "acc_1";
const START = new Date("2026-06-01T00:00:00Z");
const TRIAL_END = addDays(START, 14); // June 15
const day = (n: number) => addDays(TRIAL_END, n); // days into the first paid period (June 15 → July 15, 30 days)
const card = { id: "pm_card_visa", kind: "card", brand: "visa", last4: "4242" };

/** Folds decided events into the state as the store would: stamped, versioned, then evolved. */
function apply(
  state: SubscriptionState | null,
  events: SubscriptionEvent[],
  at: Date,
): SubscriptionState | null {
  let next = state;
  for (const event of events) {
    const history = {
      type: event.type,
      data: { account_id: ACCOUNT, ...event.data, occurred_at: at.getTime(), actor: SYSTEM_ACTOR },
      version: (next?.version ?? 0) + 1,
      occurredAt: at,
    } as SubscriptionHistoryEvent;
    next = evolve(next, history);
  }
  return next;
}

/** Runs commands in order at their times, returning the state and the last command's events. */
function run(steps: [SubscriptionCommand, Date][]): {
  state: SubscriptionState;
  events: SubscriptionEvent[];
} {
  let state: SubscriptionState | null = null;
  let events: SubscriptionEvent[] = [];
  for (const [command, at] of steps) {
    events = decide(state, command, at);
    state = apply(state, events, at);
  }
  if (!state) throw new Error("no subscription");
  return { state, events };
}

const start: [SubscriptionCommand, Date] = [
  { kind: "start_trial", id: "sub_1", plan: plan("professional") },
  START,
];
const attach: [SubscriptionCommand, Date] = [
  { kind: "attach_payment_method", method: card },
  addDays(START, 2),
];
const convert: [SubscriptionCommand, Date] = [{ kind: "run_due" }, TRIAL_END];
const reminder: [SubscriptionCommand, Date] = [{ kind: "run_due" }, addDays(START, 11)];
const change = (id: string, interval: "month" | "year" = "month"): SubscriptionCommand => ({
  kind: "change_plan",
  plan: plan(id),
  interval,
});
const active = [start, attach, reminder, convert];
const typesOf = (events: SubscriptionEvent[]) =>
  events.map((event) => event.type.replace("platform.billing.", ""));
const codeOf = (steps: [SubscriptionCommand, Date][]) => {
  try {
    run(steps);
  } catch (error) {
    if (error instanceof PlatformError) return error.code;
    throw error;
  }
  return "nothing thrown";
};

describe("a subscription's transitions", () => {
  it.each<[string, [SubscriptionCommand, Date][], string[], Partial<SubscriptionState>]>([
    [
      "a new organization starts a 14-day Professional trial with no MRR",
      [start],
      ["TrialStarted"],
      {
        status: "trialing",
        planId: "professional",
        mrrCents: 0,
        trialEnd: TRIAL_END,
        currentPeriodEnd: TRIAL_END,
      },
    ],
    [
      "a payment method is attached",
      [start, attach],
      ["PaymentMethodAttached"],
      { paymentMethodId: "pm_card_visa", status: "trialing" },
    ],
    [
      "attaching the same method again changes nothing",
      [start, attach, attach],
      [],
      { paymentMethodId: "pm_card_visa", version: 2 },
    ],
    [
      "3 days before the trial ends, the reminder",
      [start, reminder],
      ["TrialWillEnd"],
      { trialReminderSent: true },
    ],
    ["the reminder is sent once", [start, reminder, reminder], [], { trialReminderSent: true }],
    [
      "with a payment method, the trial converts: the first period starts at the trial's end",
      active,
      ["TrialEnded"],
      {
        status: "active",
        mrrCents: 19_900,
        billingAnchor: TRIAL_END,
        currentPeriodStart: TRIAL_END,
        currentPeriodEnd: day(30),
        nextDueAt: day(30),
      },
    ],
    [
      "without one, the trial ends and so does the subscription",
      [start, convert],
      ["TrialEnded", "SubscriptionEnded"],
      { status: "ended", mrrCents: 0, endsAt: TRIAL_END, nextDueAt: null },
    ],
    [
      "an upgrade mid-trial is immediate and free",
      [start, [change("enterprise"), addDays(START, 3)]],
      ["SubscriptionUpgraded"],
      { status: "trialing", planId: "enterprise", mrrCents: 0, currentPeriodEnd: TRIAL_END },
    ],
    [
      "a downgrade mid-trial is immediate too",
      [start, [change("starter"), addDays(START, 3)]],
      ["SubscriptionDowngraded"],
      { status: "trialing", planId: "starter", scheduledPlan: null },
    ],
    [
      "an upgrade mid-period is prorated and keeps the period",
      [...active, [change("enterprise"), day(10)]],
      ["SubscriptionUpgraded"],
      { planId: "enterprise", mrrCents: 99_900, currentPeriodStart: TRIAL_END, currentPeriodEnd: day(30) },
    ],
    [
      "a downgrade is scheduled for the period's end",
      [...active, [change("starter"), day(10)]],
      ["DowngradeScheduled"],
      { planId: "professional", mrrCents: 19_900 },
    ],
    [
      "a scheduled downgrade can be canceled",
      [...active, [change("starter"), day(10)], [{ kind: "cancel_scheduled_downgrade" }, day(11)]],
      ["DowngradeCanceled"],
      { planId: "professional", scheduledPlan: null },
    ],
    [
      "an upgrade supersedes a scheduled downgrade",
      [...active, [change("starter"), day(10)], [change("enterprise"), day(11)]],
      ["DowngradeCanceled", "SubscriptionUpgraded"],
      { planId: "enterprise", scheduledPlan: null },
    ],
    [
      "at the period's end it renews",
      [...active, [{ kind: "run_due" }, day(30)]],
      ["SubscriptionRenewed"],
      { currentPeriodStart: day(30), currentPeriodEnd: new Date("2026-08-15T00:00:00Z"), mrrCents: 19_900 },
    ],
    [
      "a renewal applies the scheduled downgrade",
      [...active, [change("starter"), day(10)], [{ kind: "run_due" }, day(30)]],
      ["SubscriptionDowngraded", "SubscriptionRenewed"],
      { planId: "starter", mrrCents: 4900, scheduledPlan: null, currentPeriodStart: day(30) },
    ],
    [
      "monthly to annual starts a new year-long period at once",
      [...active, [change("professional", "year"), day(15)]],
      ["BillingCycleChanged"],
      {
        interval: "year",
        mrrCents: 16_583,
        billingAnchor: day(15),
        currentPeriodStart: day(15),
        currentPeriodEnd: new Date("2027-06-30T00:00:00Z"),
      },
    ],
    [
      "canceled at the period's end: still served, still paying, until then",
      [...active, [{ kind: "cancel", atPeriodEnd: true, reason: null }, day(5)]],
      ["SubscriptionCanceled"],
      { status: "canceled", mrrCents: 19_900, endsAt: day(30), nextDueAt: day(30) },
    ],
    [
      "a cancellation at the period's end takes effect then, instead of a renewal",
      [
        ...active,
        [{ kind: "cancel", atPeriodEnd: true, reason: null }, day(5)],
        [{ kind: "run_due" }, day(30)],
      ],
      ["SubscriptionEnded"],
      { status: "ended", mrrCents: 0, endsAt: day(30), nextDueAt: null },
    ],
    [
      "canceled now: it ends at once",
      [...active, [{ kind: "cancel", atPeriodEnd: false, reason: "too expensive" }, day(5)]],
      ["SubscriptionCanceled", "SubscriptionEnded"],
      { status: "ended", mrrCents: 0, endsAt: day(5) },
    ],
    [
      "a trial canceled at its end ends then instead of converting",
      [start, attach, [{ kind: "cancel", atPeriodEnd: true, reason: null }, addDays(START, 3)], convert],
      ["SubscriptionEnded"],
      { status: "ended", mrrCents: 0, endsAt: TRIAL_END },
    ],
    [
      "a failed payment makes it past due",
      [...active, [{ kind: "payment_failed", invoiceId: "inv_1", failureCode: "card_declined" }, day(1)]],
      ["SubscriptionPastDue"],
      { status: "past_due", pastDueSince: day(1), mrrCents: 19_900 },
    ],
    [
      "past due, then suspended",
      [
        ...active,
        [{ kind: "payment_failed", invoiceId: "inv_1", failureCode: "card_declined" }, day(1)],
        [{ kind: "suspend", invoiceId: "inv_1", reason: "payment_overdue" }, day(8)],
      ],
      ["SubscriptionSuspended"],
      { status: "suspended" },
    ],
    [
      "suspended, then reactivated when paid",
      [
        ...active,
        [{ kind: "payment_failed", invoiceId: "inv_1", failureCode: "card_declined" }, day(1)],
        [{ kind: "suspend", invoiceId: "inv_1", reason: "payment_overdue" }, day(8)],
        [{ kind: "reactivate" }, day(9)],
      ],
      ["SubscriptionReactivated"],
      { status: "active", pastDueSince: null },
    ],
    [
      "a past-due subscription renews and stays past due",
      [
        ...active,
        [{ kind: "payment_failed", invoiceId: "inv_1", failureCode: "card_declined" }, day(29)],
        [{ kind: "run_due" }, day(30)],
      ],
      ["SubscriptionRenewed"],
      { status: "past_due", currentPeriodStart: day(30) },
    ],
  ])("%s", (_name, steps, types, expected) => {
    const { state, events } = run(steps);
    expect(typesOf(events)).toEqual(types);
    expect(state).toMatchObject(expected);
  });

  it("prorates an upgrade after 10 of 30 days: $199 → $999, net $800 × 20/30 = $533.33", () => {
    const { events } = run([...active, [change("enterprise"), day(10)]]);
    expect(events[0]?.data).toMatchObject({
      immediate: true,
      proration_cents: 53_333, // −13,267 credit + 66,600 charge
      previous_mrr_cents: 19_900,
      mrr_cents: 99_900,
      effective_at: day(10).getTime(),
    });
  });

  it("charges a switch to annual the whole year less the unused month: −$99.50 + $1,990.00", () => {
    const { events } = run([...active, [change("professional", "year"), day(15)]]);
    expect(events[0]?.data).toMatchObject({ proration_cents: 189_050, previous_mrr_cents: 19_900 });
  });

  it("carries the scheduled downgrade's terms and when it takes effect", () => {
    const { events } = run([...active, [change("starter"), day(10)]]);
    expect(events[0]?.data).toMatchObject({
      scheduled_plan: { plan_id: "starter", price_cents: 4900, limits: { users: 5 } },
      scheduled_mrr_cents: 4900,
      effective_at: day(30).getTime(),
    });
  });

  it("tells the scheduler what is due, in order: reminder, trial end, renewal", () => {
    const trial = run([start, attach]).state;
    expect(dueStepOf(trial, addDays(START, 10))).toBeNull();
    expect(dueStepOf(trial, addDays(START, 11))).toBe("trial_reminder");
    // A scheduler that wakes after the trial's end skips the reminder.
    expect(dueStepOf(trial, TRIAL_END)).toBe("trial_end");
    const paid = run(active).state;
    expect(dueStepOf(paid, day(29))).toBeNull();
    expect(dueStepOf(paid, day(30))).toBe("renewal");
  });
});

describe("what a subscription refuses", () => {
  const pastDue: [SubscriptionCommand, Date] = [
    { kind: "payment_failed", invoiceId: "inv_1", failureCode: "card_declined" },
    day(1),
  ];
  const canceled: [SubscriptionCommand, Date] = [{ kind: "cancel", atPeriodEnd: true, reason: null }, day(2)];
  const endedNow: [SubscriptionCommand, Date] = [
    { kind: "cancel", atPeriodEnd: false, reason: null },
    day(2),
  ];
  it.each<[string, [SubscriptionCommand, Date][], string]>([
    ["a second trial for the organization", [start, start], "subscription_exists"],
    ["a change without a subscription", [[change("starter"), START]], "no_subscription"],
    ["the same plan and interval", [...active, [change("professional"), day(3)]], "same_plan"],
    ["the same plan during the trial", [start, [change("professional"), addDays(START, 1)]], "same_plan"],
    [
      "a change of a canceled subscription",
      [...active, canceled, [change("enterprise"), day(3)]],
      "subscription_canceled",
    ],
    [
      "a change of an ended subscription",
      [...active, endedNow, [change("enterprise"), day(3)]],
      "subscription_ended",
    ],
    [
      "a change while an invoice is unpaid",
      [...active, pastDue, [change("enterprise"), day(3)]],
      "subscription_overdue",
    ],
    [
      "the same downgrade twice",
      [...active, [change("starter"), day(3)], [change("starter"), day(4)]],
      "downgrade_already_scheduled",
    ],
    [
      "canceling a downgrade never scheduled",
      [...active, [{ kind: "cancel_scheduled_downgrade" }, day(3)]],
      "no_scheduled_downgrade",
    ],
    ["canceling twice at the period's end", [...active, canceled, canceled], "subscription_canceled"],
    ["canceling an ended subscription", [...active, endedNow, endedNow], "subscription_ended"],
    ["a payment method on an ended subscription", [start, convert, attach], "subscription_ended"],
    ["a failed payment during the trial", [start, pastDue], "subscription_not_active"],
    [
      "suspending an active subscription",
      [...active, [{ kind: "suspend", invoiceId: null, reason: "x" }, day(3)]],
      "subscription_not_past_due",
    ],
    [
      "reactivating an active subscription",
      [...active, [{ kind: "reactivate" }, day(3)]],
      "subscription_not_overdue",
    ],
  ])("%s → %s", (_name, steps, code) => {
    expect(codeOf(steps)).toBe(code);
  });
});

describe("a paid subscription again after the last one ended", () => {
  const subscribe = (
    id: string,
    interval: "month" | "year",
    method: typeof card | null,
    at: Date,
  ): [SubscriptionCommand, Date] => [{ kind: "subscribe", plan: plan(id), interval, method }, at];
  const lapsed = [start, convert]; // the trial ended without a payment method
  const later = addDays(TRIAL_END, 40); // July 25

  it.each<[string, [SubscriptionCommand, Date][], string[], Partial<SubscriptionState>]>([
    [
      "a lapsed trial subscribes with a card: the card, then a new term on the plan, anchored now",
      [...lapsed, subscribe("starter", "month", card, later)],
      ["PaymentMethodAttached", "SubscriptionCreated"],
      {
        status: "active",
        planId: "starter",
        mrrCents: 4900,
        paymentMethodId: "pm_card_visa",
        trialEnd: null,
        endsAt: null,
        billingAnchor: later,
        currentPeriodStart: later,
        currentPeriodEnd: addDays(later, 31), // July 25 → August 25
        nextDueAt: addDays(later, 31),
      },
    ],
    [
      "a canceled one, once ended, subscribes yearly with the card on file",
      [
        ...active,
        [{ kind: "cancel", atPeriodEnd: false, reason: null }, day(3)],
        subscribe("enterprise", "year", null, later),
      ],
      ["SubscriptionCreated"],
      { status: "active", planId: "enterprise", interval: "year", mrrCents: 83_250, scheduledPlan: null },
    ],
  ])("%s", (_name, steps, types, expected) => {
    const { state, events } = run(steps);
    expect(typesOf(events)).toEqual(types);
    expect(state).toMatchObject(expected);
  });

  it.each<[string, [SubscriptionCommand, Date][], string]>([
    ["while the trial runs", [start, subscribe("starter", "month", card, day(-3))], "subscription_exists"],
    ["while it is paid", [...active, subscribe("starter", "month", card, day(3))], "subscription_exists"],
    [
      "while it is canceled but not yet ended",
      [
        ...active,
        [{ kind: "cancel", atPeriodEnd: true, reason: null }, day(3)],
        subscribe("starter", "month", card, day(4)),
      ],
      "subscription_exists",
    ],
    [
      "without a payment method on file or sent",
      [...lapsed, subscribe("starter", "month", null, later)],
      "payment_method_required",
    ],
  ])("is refused %s", (_name, steps, code) => {
    expect(codeOf(steps)).toBe(code);
  });
});
