import {
  DEFAULT_TRIAGE_RULES,
  MAX_DESCRIPTION_LENGTH,
  MAX_SUBJECT_LENGTH,
  type TicketText,
  type TriageRule,
  triageTicket,
} from "../../src/domain/triage.js";
import { invalidInput, invalidInputCode } from "./invalid-input.js";

const triage = (subject: string, description?: string | null) => triageTicket({ subject, description });

describe("triageTicket with the default rules", () => {
  it.each([
    ["Site is down", "outage"],
    ["Outage in EU region", "outage"],
    ["Downtime since 9am", "outage"],
    ["We cannot log in", "outage"],
    ["Users can't login since this morning", "outage"],
    ["Unable to sign in", "outage"],
    ["Data loss after import", "data_loss"],
    ["We lost data from yesterday", "data_loss"],
  ])("classifies %p as critical technical (%s)", (subject, ruleId) => {
    expect(triage(subject)).toEqual({ category: "technical", priority: "critical", ruleId });
  });

  it.each([
    "Security question about our tenant",
    "Possible breach of our account",
    "Found a vulnerability in the API",
    "Our API key was leaked",
    "Affected by CVE-2024-3094?",
  ])("classifies %p as a critical security incident", (subject) => {
    expect(triage(subject)).toEqual({
      category: "security",
      priority: "critical",
      ruleId: "security_incident",
    });
  });

  it.each(["Invoice is wrong", "Unexpected charge", "Please refund my last payment", "Where is my receipt?"])(
    "classifies %p as medium billing",
    (subject) => {
      expect(triage(subject)).toEqual({ category: "billing", priority: "medium", ruleId: "billing" });
    },
  );

  it.each(["I was charged twice", "Double charged this month", "duplicate charge on card"])(
    "classifies %p as high billing",
    (subject) => {
      expect(triage(subject)).toEqual({ category: "billing", priority: "high", ruleId: "double_charge" });
    },
  );

  it.each([
    "Reset password",
    "SSO setup with Okta",
    "Permission denied on project",
    "2FA codes not accepted",
  ])("classifies %p as account", (subject) => {
    expect(triage(subject)).toEqual({ category: "account", priority: "medium", ruleId: "account_access" });
  });

  it.each(["Feature request: dark mode", "It would be nice to export CSV"])(
    "classifies %p as a low feature request",
    (subject) => {
      expect(triage(subject)).toEqual({
        category: "feature_request",
        priority: "low",
        ruleId: "feature_request",
      });
    },
  );

  it("falls back to other/medium with no rule", () => {
    expect(triage("Question about the dashboard")).toEqual({
      category: "other",
      priority: "medium",
      ruleId: null,
    });
  });

  it("returns a fresh fallback object each time", () => {
    const first = triage("hello");
    first.priority = "low";
    expect(triage("hello").priority).toBe("medium");
  });

  it("matches case-insensitively", () => {
    expect(triage("EVERYTHING IS DOWN").ruleId).toBe("outage");
    expect(triage("ChArGeD TwIcE").ruleId).toBe("double_charge");
  });

  it("matches whole words only", () => {
    expect(triage("The download is slow").ruleId).toBeNull();
    expect(triage("Countdown widget").ruleId).toBeNull();
    expect(triage("The drop-down menu is empty").ruleId).toBeNull();
    expect(triage("Rechargeable plan?").ruleId).toBeNull();
    expect(triage("passwordless login options").ruleId).toBeNull();
    expect(triage("Unsecurity").ruleId).toBeNull();
  });

  it("matches a keyword next to punctuation", () => {
    expect(triage("Is the API down?").ruleId).toBe("outage");
    expect(triage("(outage)").ruleId).toBe("outage");
    expect(triage("refund.").ruleId).toBe("billing");
  });

  it("lets phrases span any whitespace and either apostrophe", () => {
    expect(triage("charged\t  twice").ruleId).toBe("double_charge");
    expect(triage("I can’t log in").ruleId).toBe("outage");
  });

  it("does not form a phrase across the end of the subject and the start of the description", () => {
    expect(triage("Something about how I was charged", "twice a day I check the dashboard").ruleId).toBe(
      "billing",
    );
  });

  it("reads the description too", () => {
    expect(triage("Help", "Since the deploy our whole workspace is down")).toMatchObject({
      ruleId: "outage",
    });
  });

  it("lets the first rule in order win", () => {
    // Security beats billing; the specific double-charge rule beats the generic billing one.
    expect(triage("Refund after account breach").ruleId).toBe("security_incident");
    expect(triage("Refund: I was charged twice").ruleId).toBe("double_charge");
    expect(triage("Feature request: better invoice layout").ruleId).toBe("billing");
    expect(triage("Forgot my password and cannot log in").ruleId).toBe("outage");
  });

  it("accepts a missing or null description", () => {
    expect(triageTicket({ subject: "down" }).ruleId).toBe("outage");
    expect(triage("down", null).ruleId).toBe("outage");
    expect(triage("down", "").ruleId).toBe("outage");
  });

  it("accepts the maximum lengths", () => {
    expect(triage("x".repeat(MAX_SUBJECT_LENGTH), "y".repeat(MAX_DESCRIPTION_LENGTH)).ruleId).toBeNull();
  });

  it("keeps the default rules well-formed: unique ids", () => {
    const ids = DEFAULT_TRIAGE_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("triageTicket with custom rules", () => {
  it("uses the given rules instead of the defaults", () => {
    const rules: TriageRule[] = [
      { id: "k8s", category: "technical", priority: "high", keywords: ["kubernetes"] },
    ];
    expect(triage("Kubernetes operator crash")).toMatchObject({ ruleId: null });
    expect(triageTicket({ subject: "Kubernetes operator crash" }, rules)).toEqual({
      category: "technical",
      priority: "high",
      ruleId: "k8s",
    });
    expect(triageTicket({ subject: "Site is down" }, rules).ruleId).toBeNull();
  });

  it("matches patterns case-insensitively and is not fooled by global regexes", () => {
    const rules: TriageRule[] = [
      { id: "order", category: "billing", priority: "low", patterns: [/order #\d+/g] },
    ];
    for (let i = 0; i < 3; i++) {
      expect(triageTicket({ subject: "ORDER #123 missing" }, rules).ruleId).toBe("order");
    }
  });

  it("escapes regex characters in keywords", () => {
    const rules: TriageRule[] = [
      { id: "cpp", category: "technical", priority: "low", keywords: ["c++ sdk"] },
    ];
    expect(triageTicket({ subject: "the C++ SDK fails" }, rules).ruleId).toBe("cpp");
    expect(triageTicket({ subject: "the c sdk fails" }, rules).ruleId).toBeNull();
  });

  it("returns the fallback for an empty rule list", () => {
    expect(triageTicket({ subject: "down" }, [])).toEqual({
      category: "other",
      priority: "medium",
      ruleId: null,
    });
  });

  it.each([
    ["no keywords or patterns", { id: "x", category: "other", priority: "low" }],
    ["an unknown category", { id: "x", category: "sales", priority: "low", keywords: ["a"] }],
    ["an unknown priority", { id: "x", category: "other", priority: "urgent", keywords: ["a"] }],
    ["a blank keyword", { id: "x", category: "other", priority: "low", keywords: [" "] }],
    ["a pattern that is a string", { id: "x", category: "other", priority: "low", patterns: ["a.*"] }],
    ["a missing id", { category: "other", priority: "low", keywords: ["a"] }],
    ["a null rule", null],
  ])("rejects a rule with %s", (_label, rule) => {
    expect(invalidInputCode(() => triageTicket({ subject: "a" }, [rule] as unknown as TriageRule[]))).toBe(
      "invalid_triage_rule",
    );
  });

  it("rejects rules that are not a list", () => {
    expect(invalidInputCode(() => triageTicket({ subject: "a" }, {} as unknown as TriageRule[]))).toBe(
      "invalid_triage_rule",
    );
  });
});

describe("triageTicket input validation", () => {
  it.each([
    ["an empty subject", { subject: "" }],
    ["a blank subject", { subject: "   \n" }],
    ["a missing subject", {}],
    ["a numeric subject", { subject: 42 }],
    ["a null ticket", null],
  ])("rejects %s", (_label, ticket) => {
    const error = invalidInput(() => triageTicket(ticket as unknown as TicketText));
    expect(error.code).toBe("invalid_ticket_subject");
    expect(error.details).toMatchObject({ field: "subject" });
  });

  it("rejects a subject over 200 characters", () => {
    const error = invalidInput(() => triage("x".repeat(MAX_SUBJECT_LENGTH + 1)));
    expect(error.code).toBe("invalid_ticket_subject");
    expect(error.details).toMatchObject({ max: 200, length: 201 });
  });

  it("rejects a description over 10000 characters", () => {
    const error = invalidInput(() => triage("ok", "y".repeat(MAX_DESCRIPTION_LENGTH + 1)));
    expect(error.code).toBe("invalid_ticket_description");
    expect(error.details).toMatchObject({ field: "description", max: 10_000 });
  });

  it("rejects a description that is not text", () => {
    expect(invalidInputCode(() => triageTicket({ subject: "ok", description: 5 as unknown as string }))).toBe(
      "invalid_ticket_description",
    );
  });
});
