import { TenancyEvent } from "../../src/domain/events";
import {
  type AssignmentRule,
  chooseRep,
  decideAssignment,
  evolveAssignment,
  type OrganizationProfile,
  orderRules,
  type RepAssignmentState,
  validateRules,
} from "../../src/domain/success-reps.js";
import { invalidInput, invalidInputCode } from "./invalid-input.js";

const rules: AssignmentRule[] = [
  { id: "catch_all", priority: 100, match: {}, reps: ["rep_pool_1", "rep_pool_2"] },
  {
    id: "enterprise",
    priority: 10,
    match: { minEmployees: 1000 },
    reps: ["rep_ent_1", "rep_ent_2", "rep_ent_3"],
  },
  {
    id: "healthcare_mid",
    priority: 20,
    match: { minEmployees: 50, maxEmployees: 999, industries: ["Healthcare"] },
    reps: ["rep_hc"],
  },
  {
    id: "pro_smb",
    priority: 30,
    match: { maxEmployees: 49, plans: ["professional", "enterprise"] },
    reps: ["rep_smb"],
  },
];

const org = (overrides: Partial<OrganizationProfile> = {}): OrganizationProfile => ({
  employees: 10,
  industry: "software",
  plan: "starter",
  ...overrides,
});

const zero = () => 0;

describe("chooseRep", () => {
  it("picks the first matching rule by priority", () => {
    expect(chooseRep(rules, org({ employees: 5000, industry: "healthcare" }), zero).ruleId).toBe(
      "enterprise",
    );
    expect(chooseRep(rules, org({ employees: 200, industry: "healthcare" }), zero).ruleId).toBe(
      "healthcare_mid",
    );
    expect(chooseRep(rules, org({ employees: 10, plan: "professional" }), zero).ruleId).toBe("pro_smb");
  });

  it("falls back to a catch-all rule with an empty match", () => {
    expect(chooseRep(rules, org({ employees: 200, industry: "retail" }), zero)).toEqual({
      ruleId: "catch_all",
      repId: "rep_pool_1",
      nextCursor: 1,
    });
  });

  it("treats employee bounds as inclusive", () => {
    expect(chooseRep(rules, org({ employees: 50, industry: "healthcare" }), zero).ruleId).toBe(
      "healthcare_mid",
    );
    expect(chooseRep(rules, org({ employees: 999, industry: "healthcare" }), zero).ruleId).toBe(
      "healthcare_mid",
    );
    expect(chooseRep(rules, org({ employees: 1000, industry: "healthcare" }), zero).ruleId).toBe(
      "enterprise",
    );
    expect(chooseRep(rules, org({ employees: 49, plan: "enterprise" }), zero).ruleId).toBe("pro_smb");
    expect(chooseRep(rules, org({ employees: 0, plan: "enterprise" }), zero).ruleId).toBe("pro_smb");
  });

  it("does not match a size, industry or plan criterion the organization cannot answer", () => {
    expect(chooseRep(rules, org({ employees: null, plan: "professional" }), zero).ruleId).toBe("catch_all");
    expect(chooseRep(rules, org({ employees: 200, industry: null }), zero).ruleId).toBe("catch_all");
    expect(chooseRep(rules, org({ employees: 10, plan: null }), zero).ruleId).toBe("catch_all");
  });

  it("compares industries and plans case-insensitively, ignoring surrounding spaces", () => {
    expect(chooseRep(rules, org({ employees: 60, industry: "  HEALTHCARE " }), zero).ruleId).toBe(
      "healthcare_mid",
    );
    expect(chooseRep(rules, org({ employees: 3, plan: "Professional" }), zero).ruleId).toBe("pro_smb");
  });

  it("treats empty criteria lists as no constraint", () => {
    const open: AssignmentRule[] = [
      { id: "r", priority: 1, match: { industries: [], plans: [] }, reps: ["a"] },
    ];
    expect(chooseRep(open, org({ industry: null, plan: null }), zero).ruleId).toBe("r");
  });

  it("breaks priority ties by rule id, whatever the input order", () => {
    const tied: AssignmentRule[] = [
      { id: "b", priority: 1, match: {}, reps: ["rep_b"] },
      { id: "a", priority: 1, match: {}, reps: ["rep_a"] },
    ];
    expect(chooseRep(tied, org(), zero).ruleId).toBe("a");
    expect(chooseRep([...tied].reverse(), org(), zero).ruleId).toBe("a");
  });

  it("rotates through the rule's reps with the cursor", () => {
    const cursors = new Map<string, number>();
    const assigned: string[] = [];
    for (let i = 0; i < 7; i++) {
      const choice = chooseRep(rules, org({ employees: 2000 }), (ruleId) => cursors.get(ruleId) ?? 0);
      cursors.set(choice.ruleId, choice.nextCursor);
      assigned.push(choice.repId);
    }
    expect(assigned).toEqual([
      "rep_ent_1",
      "rep_ent_2",
      "rep_ent_3",
      "rep_ent_1",
      "rep_ent_2",
      "rep_ent_3",
      "rep_ent_1",
    ]);
    expect(cursors).toEqual(new Map([["enterprise", 7]]));
  });

  it("keeps a separate cursor per rule and asks only for the matching rule's", () => {
    const asked: string[] = [];
    const choice = chooseRep(rules, org({ employees: 200, industry: "retail" }), (ruleId) => {
      asked.push(ruleId);
      return 5;
    });
    expect(asked).toEqual(["catch_all"]);
    expect(choice).toEqual({ ruleId: "catch_all", repId: "rep_pool_2", nextCursor: 6 });
  });

  it("still works when the rep list shrank below the stored cursor", () => {
    const one: AssignmentRule[] = [{ id: "r", priority: 1, match: {}, reps: ["only"] }];
    expect(chooseRep(one, org(), () => 41)).toEqual({ ruleId: "r", repId: "only", nextCursor: 42 });
  });

  it("does not reorder the caller's rules", () => {
    const before = rules.map((rule) => rule.id);
    chooseRep(rules, org(), zero);
    expect(rules.map((rule) => rule.id)).toEqual(before);
  });

  it("fails with no_assignment_rule when nothing matches", () => {
    const narrow = rules.filter((rule) => rule.id !== "catch_all");
    const error = invalidInput(() => chooseRep(narrow, org({ employees: 200, industry: "retail" }), zero));
    expect(error.code).toBe("no_assignment_rule");
    expect(error.details).toMatchObject({ employees: 200, industry: "retail" });
    expect(invalidInputCode(() => chooseRep([], org(), zero))).toBe("no_assignment_rule");
  });

  it("fails with no_assignment_rule when the matching rule has no reps, without falling through", () => {
    const empty: AssignmentRule[] = [
      { id: "vip", priority: 1, match: { minEmployees: 1000 }, reps: [] },
      { id: "catch_all", priority: 2, match: {}, reps: ["rep"] },
    ];
    const error = invalidInput(() => chooseRep(empty, org({ employees: 5000 }), zero));
    expect(error.code).toBe("no_assignment_rule");
    expect(error.details).toEqual({ ruleId: "vip" });
    expect(chooseRep(empty, org({ employees: 5 }), zero).ruleId).toBe("catch_all");
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects a cursor of %p", (cursor) => {
    expect(invalidInputCode(() => chooseRep(rules, org(), () => cursor))).toBe("invalid_assignment_cursor");
  });

  it.each([
    ["negative employees", { employees: -3 }],
    ["NaN employees", { employees: Number.NaN }],
    ["employees as text", { employees: "10" }],
    ["a numeric industry", { industry: 7 }],
    ["a numeric plan", { plan: 1 }],
  ])("rejects a profile with %s", (_label, overrides) => {
    const bad = { ...org(), ...overrides } as unknown as OrganizationProfile;
    expect(invalidInputCode(() => chooseRep(rules, bad, zero))).toBe("invalid_organization_profile");
  });
});

describe("orderRules", () => {
  it("orders by priority then id without mutating the input", () => {
    const input = [...rules];
    expect(orderRules(input).map((rule) => rule.id)).toEqual([
      "enterprise",
      "healthcare_mid",
      "pro_smb",
      "catch_all",
    ]);
    expect(input).toEqual(rules);
  });
});

describe("validateRules", () => {
  it("accepts a sound rule set, including a catch-all and an empty list", () => {
    expect(() => validateRules(rules)).not.toThrow();
    expect(() => validateRules([])).not.toThrow();
    expect(() =>
      validateRules([{ id: "x", priority: 0, match: { plans: [] }, reps: ["a", "a"] }]),
    ).not.toThrow();
  });

  it("rejects duplicate ids", () => {
    const error = invalidInput(() =>
      validateRules([...rules, { ...rules[0], priority: 1 } as AssignmentRule]),
    );
    expect(error.code).toBe("duplicate_rule_id");
    expect(error.details).toMatchObject({ ruleId: "catch_all", index: 4 });
  });

  it("rejects a rule with no reps", () => {
    const error = invalidInput(() => validateRules([{ id: "x", priority: 1, match: {}, reps: [] }]));
    expect(error.code).toBe("empty_rule_reps");
    expect(error.details).toMatchObject({ ruleId: "x", index: 0 });
  });

  it("rejects minEmployees above maxEmployees but accepts equal bounds", () => {
    expect(
      invalidInputCode(() =>
        validateRules([
          { id: "x", priority: 1, match: { minEmployees: 100, maxEmployees: 10 }, reps: ["a"] },
        ]),
      ),
    ).toBe("invalid_employee_range");
    expect(() =>
      validateRules([{ id: "x", priority: 1, match: { minEmployees: 10, maxEmployees: 10 }, reps: ["a"] }]),
    ).not.toThrow();
  });

  it.each([
    ["a blank id", { id: " ", priority: 1, match: {}, reps: ["a"] }],
    ["a missing id", { priority: 1, match: {}, reps: ["a"] }],
    ["a non-numeric priority", { id: "x", priority: "1", match: {}, reps: ["a"] }],
    ["a NaN priority", { id: "x", priority: Number.NaN, match: {}, reps: ["a"] }],
    ["a blank rep", { id: "x", priority: 1, match: {}, reps: ["a", ""] }],
    ["a missing match", { id: "x", priority: 1, reps: ["a"] }],
    ["negative employees", { id: "x", priority: 1, match: { minEmployees: -1 }, reps: ["a"] }],
    [
      "industries that are not a list",
      { id: "x", priority: 1, match: { industries: "retail" }, reps: ["a"] },
    ],
    ["a blank plan", { id: "x", priority: 1, match: { plans: [""] }, reps: ["a"] }],
    ["a rule that is not an object", null],
  ])("rejects %s", (_label, rule) => {
    expect(invalidInputCode(() => validateRules([rule] as unknown as AssignmentRule[]))).toBe(
      "invalid_assignment_rule",
    );
  });

  it("rejects rules that are not a list", () => {
    expect(invalidInputCode(() => validateRules("rules" as unknown as AssignmentRule[]))).toBe(
      "invalid_assignment_rule",
    );
  });
});

describe("rep assignment: decide and evolve", () => {
  const current: RepAssignmentState = {
    accountId: "acc",
    repId: "rep_a",
    ruleId: "everyone",
    assignedAt: new Date("2026-11-30T09:00:00.000Z"),
    version: 1,
  };

  it.each([
    ["no rep yet", null, "everyone", [{ rep_id: "rep_b", previous_rep_id: null, rule_id: "everyone" }]],
    [
      "another rule",
      current,
      "enterprise",
      [{ rep_id: "rep_b", previous_rep_id: "rep_a", rule_id: "enterprise" }],
    ],
    ["the same rule: the rep stays", current, "everyone", []],
  ] as const)("%s", (_case, state, ruleId, payloads) => {
    const events = decideAssignment(state, { ruleId, repId: "rep_b", nextCursor: 2 });
    expect(events.map((e) => e.data)).toEqual(payloads);
    expect(events.every((e) => e.type === TenancyEvent.SuccessRepAssigned)).toBe(true);
  });

  it("evolve: the assignment at the event's time and version", () => {
    const occurredAt = new Date("2026-11-30T10:00:00.000Z");
    const data = {
      account_id: "acc",
      rep_id: "rep_ent",
      previous_rep_id: "rep_a",
      rule_id: "enterprise",
      occurred_at: occurredAt.getTime(),
      actor: { type: "system", id: null, ip_address: null, user_agent: null },
    };
    expect(evolveAssignment({ version: 2, occurredAt, data })).toEqual({
      accountId: "acc",
      repId: "rep_ent",
      ruleId: "enterprise",
      assignedAt: occurredAt,
      version: 2,
    });
  });
});
