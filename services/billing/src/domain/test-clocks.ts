import { BillingEvent, type BillingPayloads } from "@platform/contracts";
import { ConflictError, InvalidInputError } from "@platform/errors";
import type { Decided } from "./events";
import { addDays } from "./periods";
import type { SubscriptionEvent, SubscriptionState } from "./subscriptions";

/**
 * Test clocks (Stripe's): an aggregate per clock, owned by one organization. Created frozen at a time,
 * advanced only forward, expired after TEST_CLOCK_LIFETIME_DAYS of the service's own time, deleted at
 * will. A subscription attached to one lives at the clock's time: its commands use the clock's time as
 * now, and its scheduled steps run when (and only when) the clock is advanced past them.
 */
export type TestClockStatus = "ready" | "deleted";

export interface TestClockState {
  id: string;
  accountId: string;
  name: string | null;
  frozenTime: Date;
  expiresAt: Date;
  status: TestClockStatus;
  createdAt: Date;
  version: number;
}

/** Stripe deletes a test clock 30 days after its creation; here it then refuses advances and attachments. */
export const TEST_CLOCK_LIFETIME_DAYS = 30;
/** One advance covers at most two years: a year's scripted test and then some, never an unbounded loop. */
export const MAX_ADVANCE_DAYS = 731;

export type TestClockCommand =
  | { kind: "create"; id: string; name: string | null; frozenTime: Date }
  | { kind: "advance"; to: Date }
  | { kind: "delete" };

type Payloads = BillingPayloads;
type T = typeof BillingEvent;
export type TestClockEvent =
  | { type: T["TestClockCreated"]; data: Decided<Payloads[T["TestClockCreated"]]> }
  | { type: T["TestClockAdvanced"]; data: Decided<Payloads[T["TestClockAdvanced"]]> }
  | { type: T["TestClockDeleted"]; data: Decided<Payloads[T["TestClockDeleted"]]> };
export type TestClockHistoryEvent = {
  [K in TestClockEvent["type"]]: { type: K; data: Payloads[K]; version: number; occurredAt: Date };
}[TestClockEvent["type"]];

/** Why a clock takes no advance or attachment at `now` (the service's time), or null when it does. */
export function unusable(clock: TestClockState, now: Date): ConflictError | null {
  if (clock.status === "deleted")
    return new ConflictError("test_clock_deleted", `test clock ${clock.id} was deleted`);
  if (now >= clock.expiresAt)
    return new ConflictError(
      "test_clock_expired",
      `test clock ${clock.id} expired at ${clock.expiresAt.toISOString()}; create a new one`,
    );
  return null;
}

/** The clock's events for a command at `now`, the service's own time (not the clock's). */
export function decideTestClock(
  clock: TestClockState | null,
  command: TestClockCommand,
  now: Date,
): TestClockEvent[] {
  if (command.kind === "create") {
    if (clock) throw new ConflictError("test_clock_exists", `test clock ${clock.id} exists`);
    return [
      {
        type: BillingEvent.TestClockCreated,
        data: {
          test_clock_id: command.id,
          name: command.name,
          frozen_time: command.frozenTime.getTime(),
          expires_at: addDays(now, TEST_CLOCK_LIFETIME_DAYS).getTime(),
        },
      },
    ];
  }
  if (!clock) throw new Error("a test clock command on no clock");
  const refused = unusable(clock, now);
  if (refused) throw refused;
  if (command.kind === "delete")
    return [
      {
        type: BillingEvent.TestClockDeleted,
        data: { test_clock_id: clock.id, frozen_time: clock.frozenTime.getTime() },
      },
    ];
  if (command.to <= clock.frozenTime)
    throw new ConflictError(
      "test_clock_backwards",
      `a test clock only moves forward: it stands at ${clock.frozenTime.toISOString()}`,
      { details: { frozen_time: clock.frozenTime.toISOString(), requested: command.to.toISOString() } },
    );
  if (command.to > addDays(clock.frozenTime, MAX_ADVANCE_DAYS))
    throw new InvalidInputError(
      "test_clock_advance_too_far",
      `one advance moves a test clock at most ${MAX_ADVANCE_DAYS} days; advance in steps`,
    );
  return [
    {
      type: BillingEvent.TestClockAdvanced,
      data: {
        test_clock_id: clock.id,
        previous_frozen_time: clock.frozenTime.getTime(),
        frozen_time: command.to.getTime(),
      },
    },
  ];
}

export function evolveTestClock(clock: TestClockState | null, event: TestClockHistoryEvent): TestClockState {
  if (event.type === BillingEvent.TestClockCreated)
    return {
      id: event.data.test_clock_id,
      accountId: event.data.account_id,
      name: event.data.name,
      frozenTime: new Date(event.data.frozen_time),
      expiresAt: new Date(event.data.expires_at),
      status: "ready",
      createdAt: event.occurredAt,
      version: event.version,
    };
  if (!clock) throw new Error(`evolve: ${event.type} on a test clock that does not exist`);
  if (event.type === BillingEvent.TestClockAdvanced)
    return { ...clock, frozenTime: new Date(event.data.frozen_time), version: event.version };
  return { ...clock, status: "deleted", version: event.version };
}

/** The subscription's side: following a clock (a command of the subscription aggregate). */
export type AttachTestClockCommand = { kind: "attach_test_clock"; clock: TestClockState; serviceNow: Date };

/**
 * A subscription follows a clock only before anything was paid (Stripe attaches customers at creation):
 * while it trials and no clock holds it yet, to a usable clock of its own organization whose time is not
 * before the subscription began (time never runs backwards for a subscription).
 */
export function decideAttach(state: SubscriptionState, command: AttachTestClockCommand): SubscriptionEvent[] {
  const { clock } = command;
  if (state.testClockId === clock.id) return [];
  if (state.testClockId)
    throw new ConflictError(
      "test_clock_already_attached",
      `the subscription follows test clock ${state.testClockId}; a subscription follows one clock for good`,
    );
  const refused = unusable(clock, command.serviceNow);
  if (refused) throw refused;
  if (clock.accountId !== state.accountId) throw new Error("a test clock of another organization");
  if (state.status !== "trialing")
    throw new ConflictError(
      "subscription_not_trialing",
      `only a trialing subscription (nothing paid yet) is attached to a test clock, not a ${state.status} one`,
    );
  if (clock.frozenTime < state.currentPeriodStart)
    throw new ConflictError(
      "test_clock_before_subscription",
      `the clock stands at ${clock.frozenTime.toISOString()}, before the subscription began ` +
        `(${state.currentPeriodStart.toISOString()}); advance it first`,
    );
  return [
    {
      type: BillingEvent.TestClockAttached,
      data: { subscription_id: state.id, test_clock_id: clock.id, frozen_time: clock.frozenTime.getTime() },
    },
  ];
}
