import { TenancyEvent } from "../../src/domain/events";
import {
  decideHealthScore,
  evolveHealthScore,
  type HealthFacts,
  healthSignals,
  isOverdue,
  NO_HEALTH_FACTS,
  withInvoicePaid,
  withPaymentFailure,
  withSignIn,
  withSuspension,
} from "../../src/domain/health";
import { computeHealthScore } from "../../src/domain/health-score";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

type Fact = (facts: HealthFacts) => HealthFacts;
const facts: Fact[] = [
  (f) => withSignIn(f, "usr_a", T0),
  (f) => withSignIn(f, "usr_a", T0 + 40 * DAY),
  (f) => withSignIn(f, "usr_b", T0 + 2 * DAY),
  (f) => withPaymentFailure(f, T0 + DAY),
  (f) => withPaymentFailure(f, T0 + 95 * DAY),
  (f) => withSuspension(f, new Date(T0 + 10 * DAY)),
  (f) => withInvoicePaid(f, new Date(T0 + 12 * DAY)),
];
const fold = (order: Fact[]) => order.reduce((acc, fact) => fact(acc), NO_HEALTH_FACTS);

/** Every permutation would be 5040 folds; reversals and rotations cover every pair in both orders. */
function orders(list: Fact[]): Fact[][] {
  const rotations = list.map((_, i) => [...list.slice(i), ...list.slice(0, i)]);
  return [...rotations, ...rotations.map((order) => [...order].reverse())];
}

describe("health facts (the read model's folds)", () => {
  it("give the same row whatever order the topics' partitions interleave in", () => {
    const expected = fold(facts);
    for (const order of orders(facts)) expect(fold(order)).toEqual(expected);
    expect(expected).toEqual({
      // usr_a's first sign-in is 40 days before their latest: out of the window.
      signIns: { usr_a: [T0 + 40 * DAY], usr_b: [T0 + 2 * DAY] },
      paymentFailures: [T0 + 95 * DAY],
      suspendedAt: new Date(T0 + 10 * DAY),
      invoicePaidAt: new Date(T0 + 12 * DAY),
    });
  });

  it("change nothing when an event is folded twice (the same sign-in, payment failure, suspension)", () => {
    const once = fold(facts);
    expect(fold([...facts, ...facts])).toEqual(once);
  });

  it("count the organization overdue while its latest suspension is later than its latest paid invoice", () => {
    const suspended = withSuspension(NO_HEALTH_FACTS, new Date(T0));
    expect(isOverdue(NO_HEALTH_FACTS)).toBe(false);
    expect(isOverdue(suspended)).toBe(true);
    expect(isOverdue(withInvoicePaid(suspended, new Date(T0 + 1)))).toBe(false);
    // A payment before the suspension does not settle it, in either order of arrival.
    expect(isOverdue(withInvoicePaid(suspended, new Date(T0 - 1)))).toBe(true);
    expect(isOverdue(withSuspension(withInvoicePaid(NO_HEALTH_FACTS, new Date(T0 - 1)), new Date(T0)))).toBe(
      true,
    );
  });

  it("become signals at the time of computing: windows from now, no plan no billing, no sign-in no engagement", () => {
    const now = T0 + 41 * DAY;
    const context = { now, seats: 4, plan: "professional", recentTickets: [] };
    expect(healthSignals(fold(facts), context)).toEqual({
      usage: { seats: 4, activeUsers30d: 1 },
      engagement: { daysSinceLastLogin: 1, logins30d: 1 },
      billing: { paymentFailures90d: 1, overdueInvoices: 0, planTier: "professional" },
      support: { openTickets: 0, criticalTickets30d: 0, slaBreaches30d: 0 },
    });
    const bare = healthSignals(NO_HEALTH_FACTS, { ...context, plan: null });
    expect([bare.engagement, bare.billing]).toEqual([null, null]);
    expect(healthSignals(NO_HEALTH_FACTS, { ...context, plan: "custom" }).billing?.planTier).toBeNull();
  });
});

describe("health score (decide/evolve)", () => {
  const signals = (plan: string | null, failures: number) =>
    healthSignals(
      Array.from({ length: failures }, (_, i) => T0 - i).reduce(withPaymentFailure, NO_HEALTH_FACTS),
      { now: T0, seats: 1, plan, recentTickets: [] },
    );

  it("records a first score with each factor's share, and nothing while the score stays", () => {
    const health = computeHealthScore({
      ...signals(null, 0),
      usage: { seats: 1, activeUsers30d: 1 },
      engagement: { daysSinceLastLogin: 0, logins30d: 20 },
    });
    expect(health.score).toBeGreaterThanOrEqual(50);
    const [calculated, ...rest] = decideHealthScore(null, health);
    expect(rest).toEqual([]);
    expect(calculated).toEqual({
      type: TenancyEvent.HealthScoreCalculated,
      data: {
        score: health.score,
        previous_score: null,
        factors: health.factors.map(({ name, score, weight, contribution }) => ({
          name,
          score,
          weight,
          contribution,
        })),
      },
    });
    expect(decideHealthScore({ score: health.score }, health)).toEqual([]);
  });

  it("alerts when the score crosses under the threshold, and a first score under it counts as a drop from 100", () => {
    const low = computeHealthScore({
      ...signals("starter", 5),
      usage: { seats: 10, activeUsers30d: 0 },
      billing: { paymentFailures90d: 5, overdueInvoices: 1, planTier: "starter" },
    });
    expect(low.score).toBeLessThan(50);
    expect(decideHealthScore({ score: 80 }, low).map((e) => [e.type, e.data.previous_score])).toEqual([
      [TenancyEvent.HealthScoreCalculated, 80],
      [TenancyEvent.HealthScoreDropped, 80],
    ]);
    expect(decideHealthScore(null, low).map((e) => e.data.previous_score)).toEqual([null, 100]);
    // Already under it: a new score, no second alert.
    expect(decideHealthScore({ score: 40 }, { ...low, score: 39 })).toHaveLength(1);
  });

  it("folds a stored HealthScoreCalculated into the row, at the event's time and version", () => {
    const occurredAt = new Date(T0);
    const factors = [{ name: "usage", score: 80, weight: 0.35, contribution: 28 }];
    expect(
      evolveHealthScore({
        version: 3,
        occurredAt,
        data: {
          account_id: "acc_1",
          score: 72,
          previous_score: 60,
          factors,
          occurred_at: T0,
          actor: { type: "system", id: null, ip_address: null, user_agent: null },
        },
      }),
    ).toEqual({ accountId: "acc_1", score: 72, factors, calculatedAt: occurredAt, version: 3 });
  });
});
