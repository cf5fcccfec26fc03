import { TenancyEvent } from "../../src/domain/events";
import {
  decide,
  evolve,
  type TicketCommand,
  type TicketHistoryEvent,
  type TicketState,
} from "../../src/domain/tickets";

const HOUR = 3_600_000;
const T0 = new Date("2026-11-30T09:00:00.000Z");
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

function ticket(overrides: Partial<TicketState> = {}): TicketState {
  return {
    id: "tkt",
    accountId: "acc",
    subject: "Help",
    description: null,
    priority: "critical",
    category: "technical",
    status: "open",
    assigneeId: null,
    requesterUserId: "usr",
    triageRule: null,
    openedAt: T0,
    firstResponseDueAt: at(1),
    resolutionDueAt: at(4),
    firstRespondedAt: null,
    resolvedAt: null,
    alertsSent: [],
    version: 1,
    ...overrides,
  };
}

describe("decide: open", () => {
  it("triages what the requester left out (rule recorded)", () => {
    const [opened] = decide(
      null,
      {
        kind: "open",
        id: "tkt",
        subject: "We were charged twice",
        description: null,
        requesterUserId: "usr",
      },
      T0,
    );
    expect(opened?.type).toBe(TenancyEvent.TicketOpened);
    expect(opened?.data).toMatchObject({
      ticket_id: "tkt",
      category: "billing",
      ticket_status: "open",
      triage_rule: expect.any(String),
    });
  });

  it("keeps both when the requester chose priority and category (no triage rule)", () => {
    const [opened] = decide(
      null,
      {
        kind: "open",
        id: "tkt",
        subject: "x",
        description: null,
        priority: "low",
        category: "other",
        requesterUserId: null,
      },
      T0,
    );
    expect(opened?.data).toMatchObject({
      priority: "low",
      category: "other",
      triage_rule: null,
      first_response_due_at: at(24).getTime(),
      resolution_due_at: at(120).getTime(),
    });
  });
});

describe("decide: update", () => {
  it.each<[string, Partial<TicketState>, TicketCommand, string[] | string]>([
    ["nothing changes", {}, { kind: "update", priority: "critical" }, []],
    [
      "a new priority moves both deadlines",
      {},
      { kind: "update", priority: "low" },
      ["priority", "first_response_due_at", "resolution_due_at"],
    ],
    ["a first response once", {}, { kind: "update", first_response: true }, ["first_responded_at"]],
    ["a second first response", { firstRespondedAt: at(0.5) }, { kind: "update", first_response: true }, []],
    ["resolving", {}, { kind: "update", status: "resolved" }, ["ticket_status", "resolved_at"]],
    [
      "reopening",
      { status: "resolved", resolvedAt: at(1) },
      { kind: "update", status: "open" },
      ["ticket_status", "resolved_at"],
    ],
    [
      "closing a resolved one",
      { status: "resolved", resolvedAt: at(1) },
      { kind: "update", status: "closed" },
      ["ticket_status"],
    ],
    ["a closed ticket", { status: "closed" }, { kind: "update", category: "billing" }, "ticket_closed"],
  ])("%s", (_case, state, command, expected) => {
    const run = () => decide(ticket(state), command, at(2));
    if (typeof expected === "string") {
      expect(run).toThrow(expect.objectContaining({ code: expected }));
      return;
    }
    const events = run();
    expect(
      events.flatMap((e) => (e.type === TenancyEvent.TicketUpdated ? e.data.changed_fields : [])),
    ).toEqual(expected);
  });
});

describe("decide: sweep", () => {
  it.each<[string, number, string[], string[]]>([
    ["before 80 %", 0.5, [], []],
    ["at 80 % of the first response", 0.8, [], [TenancyEvent.SlaWarning]],
    ["warned already", 0.9, ["first_response:warning"], []],
    ["past the first response", 1.1, ["first_response:warning"], [TenancyEvent.SlaBreached]],
  ])("%s", (_case, hours, sent, types) => {
    expect(decide(ticket({ alertsSent: sent }), { kind: "sweep" }, at(hours)).map((e) => e.type)).toEqual(
      types,
    );
  });
});

describe("evolve", () => {
  const base = {
    account_id: "acc",
    occurred_at: 0,
    actor: { type: "system", id: null, ip_address: null, user_agent: null },
  };
  const standing = {
    ticket_id: "tkt",
    subject: "Help",
    priority: "critical",
    category: "technical",
    ticket_status: "open",
    assignee_id: null,
    requester_user_id: "usr",
    first_response_due_at: at(1).getTime(),
    resolution_due_at: at(4).getTime(),
    first_responded_at: null,
    resolved_at: null,
  };
  const history: TicketHistoryEvent[] = [
    {
      version: 1,
      occurredAt: T0,
      type: TenancyEvent.TicketOpened,
      data: { ...base, ...standing, description: null, triage_rule: null },
    },
    {
      version: 2,
      occurredAt: at(0.8),
      type: TenancyEvent.SlaWarning,
      data: {
        ...base,
        ticket_id: "tkt",
        priority: "critical",
        sla: "first_response",
        due_at: at(1).getTime(),
        elapsed_percent: 80,
      },
    },
    {
      version: 3,
      occurredAt: at(1.1),
      type: TenancyEvent.SlaBreached,
      data: {
        ...base,
        ticket_id: "tkt",
        priority: "critical",
        sla: "first_response",
        due_at: at(1).getTime(),
        elapsed_percent: 110,
      },
    },
  ];

  it("folds opened and the SLA alerts: opened at the event's time, each alert recorded once", () => {
    expect(history.reduce<TicketState | null>(evolve, null)).toEqual(
      ticket({ alertsSent: ["first_response:warning", "first_response:breach"], version: 3 }),
    );
  });

  it("a priority change forgets the alerts raised on the old deadlines", () => {
    const state = history.reduce<TicketState | null>(evolve, null);
    const updated = evolve(state, {
      version: 4,
      occurredAt: at(2),
      type: TenancyEvent.TicketUpdated,
      data: {
        ...base,
        ...standing,
        priority: "low",
        first_response_due_at: at(24).getTime(),
        resolution_due_at: at(120).getTime(),
        changed_fields: ["priority", "first_response_due_at", "resolution_due_at"],
      },
    });
    expect(updated).toMatchObject({
      priority: "low",
      alertsSent: [],
      firstResponseDueAt: at(24),
      version: 4,
    });
  });
});
