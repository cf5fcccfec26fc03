import { PlatformError } from "@platform/errors";
import { CATALOG_PLANS } from "../../src/domain/catalog";
import { SYSTEM_ACTOR } from "../../src/domain/events";
import { addDays } from "../../src/domain/periods";
import { currentPlans } from "../../src/domain/plans";
import {
  decide,
  evolve,
  type SubscriptionHistoryEvent,
  type SubscriptionState,
} from "../../src/domain/subscriptions";
import {
  decideTestClock,
  evolveTestClock,
  MAX_ADVANCE_DAYS,
  TEST_CLOCK_LIFETIME_DAYS,
  type TestClockCommand,
  type TestClockHistoryEvent,
  type TestClockState,
} from "../../src/domain/test-clocks";

const NOW = new Date("2026-06-01T00:00:00Z"); // the service's own time
const FROZEN = new Date("2026-06-01T00:00:00Z");

function clockAfter(commands: [TestClockCommand, Date][]): TestClockState {
  let clock: TestClockState | null = null;
  for (const [command, at] of commands)
    for (const event of decideTestClock(clock, command, at))
      clock = evolveTestClock(clock, {
        type: event.type,
        data: { account_id: "acc_1", ...event.data, occurred_at: at.getTime(), actor: SYSTEM_ACTOR },
        version: (clock?.version ?? 0) + 1,
        occurredAt: at,
      } as TestClockHistoryEvent);
  if (!clock) throw new Error("no clock");
  return clock;
}
const create: [TestClockCommand, Date] = [
  { kind: "create", id: "clock_1", name: "year", frozenTime: FROZEN },
  NOW,
];
const advance = (to: Date, at = NOW): [TestClockCommand, Date] => [{ kind: "advance", to }, at];
const codeOf = (commands: [TestClockCommand, Date][]) => {
  try {
    clockAfter(commands);
    return "nothing thrown";
  } catch (error) {
    if (error instanceof PlatformError) return error.code;
    throw error;
  }
};

describe("a test clock", () => {
  it("is created frozen, expires 30 days later by the service's time, and moves only forward", () => {
    const clock = clockAfter([create, advance(addDays(FROZEN, 14)), advance(addDays(FROZEN, 100))]);
    expect(clock).toMatchObject({
      status: "ready",
      frozenTime: addDays(FROZEN, 100),
      expiresAt: addDays(NOW, TEST_CLOCK_LIFETIME_DAYS),
      version: 3,
    });
  });

  it.each<[string, [TestClockCommand, Date][], string]>([
    [
      "moving backwards",
      [create, advance(addDays(FROZEN, 10)), advance(addDays(FROZEN, 9))],
      "test_clock_backwards",
    ],
    ["standing still", [create, advance(FROZEN)], "test_clock_backwards"],
    [
      "more than two years at once",
      [create, advance(addDays(FROZEN, MAX_ADVANCE_DAYS + 1))],
      "test_clock_advance_too_far",
    ],
    [
      "an advance once expired",
      [create, advance(addDays(FROZEN, 1), addDays(NOW, TEST_CLOCK_LIFETIME_DAYS))],
      "test_clock_expired",
    ],
    [
      "an advance once deleted",
      [create, [{ kind: "delete" }, NOW], advance(addDays(FROZEN, 1))],
      "test_clock_deleted",
    ],
    ["deleting twice", [create, [{ kind: "delete" }, NOW], [{ kind: "delete" }, NOW]], "test_clock_deleted"],
  ])("refuses %s", (_what, commands, code) => {
    expect(codeOf(commands)).toBe(code);
  });
});

describe("attaching a subscription", () => {
  const professional = currentPlans(CATALOG_PLANS).get("professional");
  if (!professional) throw new Error("no professional plan");
  const trial = (at: Date): SubscriptionState => {
    const [started] = decide(null, { kind: "start_trial", id: "sub_1", plan: professional }, at);
    return evolve(null, {
      ...started,
      data: { account_id: "acc_1", ...started?.data, occurred_at: at.getTime(), actor: SYSTEM_ACTOR },
      version: 1,
      occurredAt: at,
    } as SubscriptionHistoryEvent);
  };
  const clock = clockAfter([create]);
  const attach = (state: SubscriptionState, testClock = clock) =>
    decide(state, { kind: "attach_test_clock", clock: testClock, serviceNow: NOW }, testClock.frozenTime);
  const codeOf = (run: () => unknown) => {
    try {
      run();
      return "nothing thrown";
    } catch (error) {
      return (error as PlatformError).code;
    }
  };

  it("a trialing subscription follows a clock of its time or later, and then always that clock", () => {
    const [attached] = attach(trial(FROZEN));
    expect(attached).toMatchObject({ data: { test_clock_id: "clock_1", frozen_time: FROZEN.getTime() } });
    const following = { ...trial(FROZEN), testClockId: "clock_1" };
    expect(attach(following)).toEqual([]);
    expect(codeOf(() => attach(following, { ...clock, id: "clock_2" }))).toBe("test_clock_already_attached");
  });

  it.each<[string, () => unknown, string]>([
    [
      "a clock set before the subscription began",
      () => attach(trial(addDays(FROZEN, 1))),
      "test_clock_before_subscription",
    ],
    [
      "a subscription past its trial",
      () => attach({ ...trial(FROZEN), status: "active" }),
      "subscription_not_trialing",
    ],
    ["a deleted clock", () => attach(trial(FROZEN), { ...clock, status: "deleted" }), "test_clock_deleted"],
    ["an expired clock", () => attach(trial(FROZEN), { ...clock, expiresAt: NOW }), "test_clock_expired"],
  ])("refuses %s", (_what, run, code) => {
    expect(codeOf(run)).toBe(code);
  });
});
