import {
  computeHealthScore,
  crossedBelow,
  HEALTH_WEIGHTS,
  type HealthFactorName,
  type HealthScore,
  type HealthSignals,
} from "../../src/domain/health-score.js";
import { invalidInput, invalidInputCode } from "./invalid-input.js";

function factor(result: HealthScore, name: HealthFactorName) {
  const found = result.factors.find((f) => f.name === name);
  if (!found) throw new Error(`factor ${name} missing from result`);
  return found;
}

const healthy: HealthSignals = {
  usage: { activeUsers30d: 45, seats: 50, apiCallsUsedPct: 0.6, featuresAdopted: 12, featuresAvailable: 20 },
  engagement: { daysSinceLastLogin: 1, logins30d: 400 },
  billing: { paymentFailures90d: 0, overdueInvoices: 0, planTier: "professional" },
  support: { openTickets: 1, criticalTickets30d: 0, slaBreaches30d: 0 },
};

describe("computeHealthScore", () => {
  it("scores a thriving customer 100 with every factor at full marks", () => {
    const result = computeHealthScore(healthy);
    expect(result.score).toBe(100);
    expect(result.factors).toEqual([
      { name: "usage", score: 100, weight: 0.35, contribution: 35, missing: false },
      { name: "engagement", score: 100, weight: 0.25, contribution: 25, missing: false },
      { name: "billing", score: 100, weight: 0.25, contribution: 25, missing: false },
      { name: "support", score: 100, weight: 0.15, contribution: 15, missing: false },
    ]);
  });

  it("scores a customer with no data at all a neutral 50, every factor flagged missing", () => {
    const result = computeHealthScore({});
    expect(result.score).toBe(50);
    expect(result.factors.map((f) => [f.name, f.score, f.missing])).toEqual([
      ["usage", 50, true],
      ["engagement", 50, true],
      ["billing", 50, true],
      ["support", 50, true],
    ]);
    // 17.5 + 12.5 + 12.5 + 7.5: the two spare points go to the heaviest factors.
    expect(result.factors.map((f) => f.contribution)).toEqual([18, 13, 12, 7]);
  });

  it("treats null groups and groups of nulls as missing", () => {
    const result = computeHealthScore({
      usage: null,
      engagement: { daysSinceLastLogin: null, logins30d: undefined },
      billing: { planTier: "enterprise" },
      support: {},
    });
    expect(result.factors.every((f) => f.missing && f.score === 50)).toBe(true);
  });

  it("uses the weights from seed-derived rules and they add up to 1", () => {
    expect(HEALTH_WEIGHTS).toEqual({ usage: 0.35, engagement: 0.25, billing: 0.25, support: 0.15 });
    const total = Object.values(HEALTH_WEIGHTS).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 10);
  });

  describe("usage", () => {
    const usage = (signals: NonNullable<HealthSignals["usage"]>) =>
      factor(computeHealthScore({ usage: signals }), "usage").score;

    it("gives full marks for seat utilisation at 80 % and scales linearly below", () => {
      expect(usage({ activeUsers30d: 40, seats: 50 })).toBe(100);
      expect(usage({ activeUsers30d: 20, seats: 100 })).toBe(25);
      expect(usage({ activeUsers30d: 200, seats: 100 })).toBe(100);
    });

    it("scores zero active users 0 even when the seat count is unknown", () => {
      expect(usage({ activeUsers30d: 0 })).toBe(0);
      expect(usage({ activeUsers30d: 0, seats: 0 })).toBe(0);
    });

    it("cannot judge utilisation without seats (or with zero seats)", () => {
      expect(factor(computeHealthScore({ usage: { activeUsers30d: 10 } }), "usage").missing).toBe(true);
      expect(factor(computeHealthScore({ usage: { activeUsers30d: 10, seats: 0 } }), "usage").missing).toBe(
        true,
      );
    });

    it("gives full marks for adopting half the features", () => {
      expect(usage({ featuresAdopted: 10, featuresAvailable: 20 })).toBe(100);
      expect(usage({ featuresAdopted: 5, featuresAvailable: 20 })).toBe(50);
      expect(usage({ featuresAdopted: 30, featuresAvailable: 20 })).toBe(100);
      expect(
        factor(computeHealthScore({ usage: { featuresAdopted: 3, featuresAvailable: 0 } }), "usage").missing,
      ).toBe(true);
    });

    it("treats no API use as neutral, reliance as good and going over quota as friction", () => {
      expect(usage({ apiCallsUsedPct: 0 })).toBe(50);
      expect(usage({ apiCallsUsedPct: 0.25 })).toBe(75);
      expect(usage({ apiCallsUsedPct: 0.5 })).toBe(100);
      expect(usage({ apiCallsUsedPct: 1 })).toBe(100);
      expect(usage({ apiCallsUsedPct: 1.01 })).toBe(80);
      expect(usage({ apiCallsUsedPct: 3 })).toBe(80);
    });

    it("averages the sub-signals present by their weights (seats .5, adoption .3, API .2)", () => {
      // seats 25, adoption 50, API 75 → (12.5 + 15 + 15) / 1 = 42.5 → 43
      expect(
        usage({
          activeUsers30d: 20,
          seats: 100,
          featuresAdopted: 5,
          featuresAvailable: 20,
          apiCallsUsedPct: 0.25,
        }),
      ).toBe(43);
      // seats 25 and API 75 only → (12.5 + 15) / 0.7 = 39.3 → 39
      expect(usage({ activeUsers30d: 20, seats: 100, apiCallsUsedPct: 0.25 })).toBe(39);
    });
  });

  describe("engagement", () => {
    const engagement = (signals: HealthSignals) => factor(computeHealthScore(signals), "engagement").score;

    it("keeps full recency marks for a week, then falls linearly to 0 at 60 days", () => {
      expect(engagement({ engagement: { daysSinceLastLogin: 0 } })).toBe(100);
      expect(engagement({ engagement: { daysSinceLastLogin: 7 } })).toBe(100);
      expect(engagement({ engagement: { daysSinceLastLogin: 33.5 } })).toBe(50);
      expect(engagement({ engagement: { daysSinceLastLogin: 60 } })).toBe(0);
      expect(engagement({ engagement: { daysSinceLastLogin: 365 } })).toBe(0);
    });

    it("measures login frequency per active user, full marks at weekly", () => {
      expect(engagement({ engagement: { logins30d: 40 }, usage: { activeUsers30d: 10 } })).toBe(100);
      expect(engagement({ engagement: { logins30d: 20 }, usage: { activeUsers30d: 10, seats: 100 } })).toBe(
        50,
      );
    });

    it("falls back to seats, then to the organization as one user", () => {
      expect(engagement({ engagement: { logins30d: 20 }, usage: { seats: 10 } })).toBe(50);
      expect(engagement({ engagement: { logins30d: 20 }, usage: { activeUsers30d: 0, seats: 10 } })).toBe(50);
      expect(engagement({ engagement: { logins30d: 2 } })).toBe(50);
      expect(engagement({ engagement: { logins30d: 0 } })).toBe(0);
    });

    it("weights recency .6 and frequency .4", () => {
      expect(engagement({ engagement: { daysSinceLastLogin: 60, logins30d: 4 } })).toBe(40);
      expect(engagement({ engagement: { daysSinceLastLogin: 1, logins30d: 0 } })).toBe(60);
    });
  });

  describe("billing", () => {
    const billing = (signals: NonNullable<HealthSignals["billing"]>) =>
      factor(computeHealthScore({ billing: signals }), "billing");

    it("subtracts 30 per payment failure and 40 per overdue invoice", () => {
      expect(billing({ paymentFailures90d: 0, overdueInvoices: 0 }).score).toBe(100);
      expect(billing({ paymentFailures90d: 1 }).score).toBe(70);
      expect(billing({ paymentFailures90d: 3 }).score).toBe(10);
      expect(billing({ overdueInvoices: 1 }).score).toBe(60);
      expect(billing({ paymentFailures90d: 1, overdueInvoices: 1 }).score).toBe(30);
    });

    it("never goes below 0", () => {
      expect(billing({ paymentFailures90d: 10, overdueInvoices: 10 }).score).toBe(0);
    });

    it("halves the overdue-invoice penalty on the enterprise tier", () => {
      expect(billing({ overdueInvoices: 1, planTier: "enterprise" }).score).toBe(80);
      expect(billing({ overdueInvoices: 1, planTier: "starter" }).score).toBe(60);
      expect(billing({ paymentFailures90d: 1, planTier: "enterprise" }).score).toBe(70);
    });

    it("does not treat the plan tier alone as a signal", () => {
      expect(billing({ planTier: "starter" })).toMatchObject({ score: 50, missing: true });
    });
  });

  describe("support", () => {
    const support = (signals: NonNullable<HealthSignals["support"]>) =>
      factor(computeHealthScore({ support: signals }), "support").score;

    it("scores a quiet customer 100", () => {
      expect(support({ openTickets: 0, criticalTickets30d: 0, slaBreaches30d: 0 })).toBe(100);
    });

    it("tolerates two open tickets, then costs 5 each up to 30", () => {
      expect(support({ openTickets: 2 })).toBe(100);
      expect(support({ openTickets: 4 })).toBe(90);
      expect(support({ openTickets: 8 })).toBe(70);
      expect(support({ openTickets: 500 })).toBe(70);
    });

    it("costs 25 per critical ticket and 20 per SLA breach, floored at 0", () => {
      expect(support({ criticalTickets30d: 1 })).toBe(75);
      expect(support({ slaBreaches30d: 1 })).toBe(80);
      expect(support({ criticalTickets30d: 2, slaBreaches30d: 1, openTickets: 3 })).toBe(25);
      expect(support({ criticalTickets30d: 4, slaBreaches30d: 1 })).toBe(0);
    });
  });

  it("leaves missing factors at 50 while scoring the present ones", () => {
    const result = computeHealthScore({ billing: { paymentFailures90d: 2 } });
    expect(factor(result, "billing")).toMatchObject({ score: 40, missing: false });
    // 50*.35 + 50*.25 + 40*.25 + 50*.15 = 47.5 → 48
    expect(result.score).toBe(48);
  });

  it("rounds half up", () => {
    // usage 0, others 50 (missing): 0 + 12.5 + 12.5 + 7.5 = 32.5 → 33
    expect(computeHealthScore({ usage: { activeUsers30d: 0 } }).score).toBe(33);
  });

  it("apportions contributions so they always sum to the score exactly", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const maybe = (value: number) => (random() < 0.2 ? null : value);
    for (let i = 0; i < 1_000; i++) {
      const result = computeHealthScore({
        usage: {
          activeUsers30d: maybe(Math.floor(random() * 120)),
          seats: maybe(Math.floor(random() * 100)),
          apiCallsUsedPct: maybe(random() * 1.5),
          featuresAdopted: maybe(Math.floor(random() * 30)),
          featuresAvailable: maybe(Math.floor(random() * 30)),
        },
        engagement: {
          daysSinceLastLogin: maybe(random() * 90),
          logins30d: maybe(Math.floor(random() * 500)),
        },
        billing: {
          paymentFailures90d: maybe(Math.floor(random() * 4)),
          overdueInvoices: maybe(Math.floor(random() * 3)),
        },
        support: {
          openTickets: maybe(Math.floor(random() * 12)),
          criticalTickets30d: maybe(Math.floor(random() * 3)),
          slaBreaches30d: maybe(Math.floor(random() * 3)),
        },
      });
      expect(Number.isInteger(result.score)).toBe(true);
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(100);
      expect(result.factors.reduce((sum, f) => sum + f.contribution, 0)).toBe(result.score);
      const exact = result.factors.reduce((sum, f) => sum + f.score * f.weight, 0);
      expect(Math.abs(result.score - exact)).toBeLessThanOrEqual(0.5 + 1e-9);
      for (const f of result.factors) {
        expect(Number.isInteger(f.score) && Number.isInteger(f.contribution)).toBe(true);
        expect(Math.abs(f.contribution - f.score * f.weight)).toBeLessThan(1);
      }
    }
  });

  it("is deterministic and does not mutate its input", () => {
    const input = structuredClone(healthy);
    expect(computeHealthScore(input)).toEqual(computeHealthScore(input));
    expect(input).toEqual(healthy);
  });

  describe("bad input", () => {
    it.each([
      ["negative", { usage: { seats: -1 } }, "usage.seats"],
      ["NaN", { engagement: { logins30d: Number.NaN } }, "engagement.logins30d"],
      ["Infinity", { support: { openTickets: Number.POSITIVE_INFINITY } }, "support.openTickets"],
      ["a string", { billing: { overdueInvoices: "2" } }, "billing.overdueInvoices"],
      ["an unknown plan tier", { billing: { planTier: "gold" } }, "billing.planTier"],
      ["a group that is not an object", { usage: 5 }, "usage"],
      ["a group that is an array", { support: [] }, "support"],
    ])("rejects %s", (_label, signals, field) => {
      const error = invalidInput(() => computeHealthScore(signals as unknown as HealthSignals));
      expect(error.code).toBe("invalid_health_signal");
      expect(error.details).toMatchObject({ field });
    });

    it.each([null, undefined, 7, "signals", []])("rejects %p as the signals", (signals) => {
      expect(invalidInputCode(() => computeHealthScore(signals as unknown as HealthSignals))).toBe(
        "invalid_health_signal",
      );
    });
  });
});

describe("crossedBelow", () => {
  it("fires when the score drops from at or above the threshold to below it", () => {
    expect(crossedBelow(50, 49)).toBe(true);
    expect(crossedBelow(80, 10)).toBe(true);
  });

  it("does not fire while staying below, staying above, or recovering", () => {
    expect(crossedBelow(49, 40)).toBe(false);
    expect(crossedBelow(60, 50)).toBe(false);
    expect(crossedBelow(40, 70)).toBe(false);
    expect(crossedBelow(50, 50)).toBe(false);
  });

  it("fires for a first score below the threshold only", () => {
    expect(crossedBelow(null, 49)).toBe(true);
    expect(crossedBelow(null, 50)).toBe(false);
    expect(crossedBelow(null, 0)).toBe(true);
  });

  it("honours a custom threshold", () => {
    expect(crossedBelow(70, 65, 70)).toBe(true);
    expect(crossedBelow(70, 65, 60)).toBe(false);
    expect(crossedBelow(null, 65, 70)).toBe(true);
  });

  it.each([
    [Number.NaN, 40, 50],
    [60, Number.NaN, 50],
    [60, 40, Number.POSITIVE_INFINITY],
    ["60", 40, 50],
  ])("rejects non-numbers (%p, %p, %p)", (previous, next, threshold) => {
    expect(
      invalidInputCode(() => crossedBelow(previous as number | null, next as number, threshold as number)),
    ).toBe("invalid_health_score");
  });
});
