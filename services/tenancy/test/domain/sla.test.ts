import {
  SLA_HOURS,
  type SlaAlertKey,
  type SlaTicket,
  slaAlerts,
  slaDeadlines,
  type TicketPriority,
} from "../../src/domain/sla.js";
import { invalidInput, invalidInputCode } from "./invalid-input.js";

const HOUR = 3_600_000;
const openedAt = new Date("2025-03-07T17:00:00.000Z");
const at = (hours: number) => new Date(openedAt.getTime() + hours * HOUR);

const ticket = (overrides: Partial<SlaTicket> = {}): SlaTicket => ({
  priority: "high",
  openedAt,
  firstRespondedAt: null,
  resolvedAt: null,
  alreadySent: new Set<SlaAlertKey>(),
  ...overrides,
});

describe("slaDeadlines", () => {
  it.each([
    ["critical", 1, 4],
    ["high", 4, 24],
    ["medium", 8, 48],
    ["low", 24, 120],
  ] as const)("gives %s tickets %ih to first response and %ih to resolution", (priority, first, resolve) => {
    expect(slaDeadlines(priority, openedAt)).toEqual({
      firstResponseDueAt: at(first),
      resolutionDueAt: at(resolve),
    });
    expect(SLA_HOURS[priority]).toEqual({ firstResponse: first, resolution: resolve });
  });

  it("runs around the clock, through the weekend", () => {
    // Friday 17:00 UTC + 120 h = Wednesday 17:00 UTC, no business-hours pause.
    expect(slaDeadlines("low", openedAt).resolutionDueAt.toISOString()).toBe("2025-03-12T17:00:00.000Z");
  });

  it("does not mutate openedAt", () => {
    const opened = new Date(openedAt);
    slaDeadlines("critical", opened);
    expect(opened).toEqual(openedAt);
  });

  it.each(["urgent", "", "CRITICAL", null])("rejects the unknown priority %p", (priority) => {
    const error = invalidInput(() => slaDeadlines(priority as TicketPriority, openedAt));
    expect(error.code).toBe("unknown_ticket_priority");
    expect(error.details).toMatchObject({ priority });
  });

  it.each([new Date(Number.NaN), "2025-03-07", 0, null])("rejects openedAt %p", (value) => {
    expect(invalidInputCode(() => slaDeadlines("high", value as Date))).toBe("invalid_date");
  });
});

describe("slaAlerts", () => {
  it("returns nothing before 80 % of either window", () => {
    expect(slaAlerts(ticket(), at(0))).toEqual([]);
    expect(slaAlerts(ticket(), at(3.19))).toEqual([]);
  });

  it("warns at exactly 80 % of the first-response window", () => {
    expect(slaAlerts(ticket(), new Date(at(3.2).getTime() - 1))).toEqual([]);
    expect(slaAlerts(ticket(), at(3.2))).toEqual([
      { sla: "first_response", kind: "warning", dueAt: at(4), elapsedPercent: 80 },
    ]);
  });

  it("breaches at exactly 100 %", () => {
    expect(slaAlerts(ticket(), new Date(at(4).getTime() - 1))).toEqual([
      { sla: "first_response", kind: "warning", dueAt: at(4), elapsedPercent: 99 },
    ]);
    expect(slaAlerts(ticket({ alreadySent: new Set(["first_response:warning"]) }), at(4))).toEqual([
      { sla: "first_response", kind: "breach", dueAt: at(4), elapsedPercent: 100 },
    ]);
  });

  it("does not repeat alerts already sent", () => {
    expect(slaAlerts(ticket({ alreadySent: new Set(["first_response:warning"]) }), at(3.5))).toEqual([]);
    expect(
      slaAlerts(
        ticket({ alreadySent: new Set(["first_response:warning", "first_response:breach"]) }),
        at(10),
      ),
    ).toEqual([]);
  });

  it("drops a warning that falls due after its breach (a late sweep)", () => {
    expect(slaAlerts(ticket(), at(5))).toEqual([
      { sla: "first_response", kind: "breach", dueAt: at(4), elapsedPercent: 125 },
    ]);
  });

  it("tracks both SLAs independently, first response first", () => {
    const sent = new Set<SlaAlertKey>(["first_response:warning", "first_response:breach"]);
    expect(slaAlerts(ticket({ alreadySent: sent }), at(19.2))).toEqual([
      { sla: "resolution", kind: "warning", dueAt: at(24), elapsedPercent: 80 },
    ]);
    expect(slaAlerts(ticket(), at(30))).toEqual([
      { sla: "first_response", kind: "breach", dueAt: at(4), elapsedPercent: 750 },
      { sla: "resolution", kind: "breach", dueAt: at(24), elapsedPercent: 125 },
    ]);
  });

  it("stops first-response alerts once responded, even if the response was late", () => {
    expect(slaAlerts(ticket({ firstRespondedAt: at(3) }), at(3.5))).toEqual([]);
    expect(slaAlerts(ticket({ firstRespondedAt: at(6) }), at(20))).toEqual([
      { sla: "resolution", kind: "warning", dueAt: at(24), elapsedPercent: 83 },
    ]);
  });

  it("stops all alerts once resolved, including an unanswered first response", () => {
    expect(slaAlerts(ticket({ resolvedAt: at(2) }), at(100))).toEqual([]);
    expect(slaAlerts(ticket({ firstRespondedAt: at(1), resolvedAt: at(30) }), at(100))).toEqual([]);
  });

  it("rounds elapsedPercent down", () => {
    // critical: 1 h window; 59 min 59.999 s is 99.99 %.
    const [alert] = slaAlerts(ticket({ priority: "critical" }), new Date(at(1).getTime() - 1));
    expect(alert).toMatchObject({ kind: "warning", elapsedPercent: 99 });
  });

  it.each([
    ["critical", 0.8, 3.2],
    ["medium", 6.4, 38.4],
    ["low", 19.2, 96],
  ] as const)("uses the %s windows", (priority, firstWarning, resolutionWarning) => {
    const before = slaAlerts(ticket({ priority }), new Date(at(firstWarning).getTime() - 1));
    expect(before).toEqual([]);
    expect(slaAlerts(ticket({ priority }), at(firstWarning))).toMatchObject([
      { sla: "first_response", kind: "warning" },
    ]);
    expect(slaAlerts(ticket({ priority, firstRespondedAt: at(0.1) }), at(resolutionWarning))).toMatchObject([
      { sla: "resolution", kind: "warning", elapsedPercent: 80 },
    ]);
  });

  it("returns nothing when the clock is before the opening (skew)", () => {
    expect(slaAlerts(ticket(), at(-1))).toEqual([]);
  });

  it("ignores unrelated entries in alreadySent", () => {
    const sent = new Set(["something:else"]) as unknown as Set<SlaAlertKey>;
    expect(slaAlerts(ticket({ alreadySent: sent }), at(3.2))).toHaveLength(1);
  });

  it("does not mutate alreadySent", () => {
    const sent = new Set<SlaAlertKey>();
    slaAlerts(ticket({ alreadySent: sent }), at(50));
    expect(sent.size).toBe(0);
  });

  describe("bad input", () => {
    it("rejects an unknown priority", () => {
      expect(invalidInputCode(() => slaAlerts(ticket({ priority: "p1" }), at(1)))).toBe(
        "unknown_ticket_priority",
      );
    });

    it.each([
      ["openedAt", { openedAt: new Date("nope") }],
      ["firstRespondedAt", { firstRespondedAt: "2025-03-07" as unknown as Date }],
      ["resolvedAt", { resolvedAt: new Date(Number.NaN) }],
    ])("rejects an invalid %s", (field, overrides) => {
      const error = invalidInput(() => slaAlerts(ticket(overrides), at(1)));
      expect(error.code).toBe("invalid_date");
      expect(error.details).toEqual({ field });
    });

    it("rejects an invalid now", () => {
      expect(invalidInputCode(() => slaAlerts(ticket(), new Date(Number.NaN)))).toBe("invalid_date");
    });

    it("rejects alreadySent that is not a Set, and a missing ticket", () => {
      const arraySent = { ...ticket(), alreadySent: [] as unknown as Set<SlaAlertKey> };
      expect(invalidInputCode(() => slaAlerts(arraySent, at(1)))).toBe("invalid_sla_ticket");
      expect(invalidInputCode(() => slaAlerts(null as unknown as SlaTicket, at(1)))).toBe(
        "invalid_sla_ticket",
      );
    });
  });
});
