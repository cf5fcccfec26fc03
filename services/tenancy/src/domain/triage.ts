/**
 * Ticket triage (seed 001 "Support Workflows": the seed asks an AI for a suggested category and
 * priority). Here an ordered keyword list suggests them; the rule id is recorded on TicketOpened so
 * support can see why, and an agent can always override. Deterministic rules are cheap, testable,
 * and cannot leak customer text to a third party.
 *
 * Rules are tried in order and the first match wins, so the most severe rules come first: a ticket
 * that mentions both a breach and an invoice is a security incident, and "charged twice" must be
 * seen before the generic billing rule. Matching is case-insensitive and on whole words: a keyword
 * must not be preceded or followed by a letter, digit, underscore or hyphen, so "download" does not
 * match "down" and neither does "drop-down". Spaces inside a keyword match any run of whitespace.
 * Keywords are phrases, not stems: inflections are listed explicitly so each rule reads as data.
 */
import { InvalidInputError } from "@platform/errors";
import { isTicketPriority, TICKET_PRIORITIES, type TicketPriority } from "./sla.js";

export const TICKET_CATEGORIES = [
  "security",
  "technical",
  "billing",
  "account",
  "feature_request",
  "other",
] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export interface TriageRule {
  id: string;
  category: TicketCategory;
  priority: TicketPriority;
  /** Whole-word, case-insensitive phrases. */
  keywords?: readonly string[];
  /** For what keywords cannot say; matched case-insensitively whatever their flags. */
  patterns?: readonly RegExp[];
}

export interface TicketText {
  subject: string;
  description?: string | null;
}

export interface TriageResult {
  category: TicketCategory;
  priority: TicketPriority;
  /** The rule that fired; null when none did. */
  ruleId: string | null;
}

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 10_000;

const LOG_IN = ["log in", "login", "log on", "sign in", "signin"];
const CANNOT = ["cannot", "can't", "can’t", "can not", "unable to", "couldn't", "couldn’t", "could not"];

export const DEFAULT_TRIAGE_RULES: readonly TriageRule[] = Object.freeze([
  {
    id: "security_incident",
    category: "security",
    priority: "critical",
    keywords: [
      "security",
      "breach",
      "breached",
      "vulnerability",
      "vulnerabilities",
      "data leak",
      "leaked",
      "compromised",
      "hacked",
      "unauthorized access",
      "unauthorised access",
    ],
    patterns: [/\bCVE-\d{4}-\d{4,}\b/],
  },
  {
    id: "outage",
    category: "technical",
    priority: "critical",
    keywords: [
      "outage",
      "down",
      "downtime",
      ...CANNOT.flatMap((cannot) => LOG_IN.map((l) => `${cannot} ${l}`)),
    ],
  },
  {
    id: "data_loss",
    category: "technical",
    priority: "critical",
    keywords: [
      "data loss",
      "lost data",
      "lost my data",
      "lost our data",
      "data is gone",
      "data was deleted",
      "data disappeared",
    ],
  },
  {
    id: "double_charge",
    category: "billing",
    priority: "high",
    keywords: [
      "charged twice",
      "double charged",
      "double-charged",
      "double charge",
      "duplicate charge",
      "duplicate charges",
      "charged two times",
    ],
  },
  {
    id: "billing",
    category: "billing",
    priority: "medium",
    keywords: [
      "invoice",
      "invoices",
      "charge",
      "charges",
      "charged",
      "refund",
      "refunds",
      "payment",
      "payments",
      "billing",
      "receipt",
    ],
  },
  {
    id: "account_access",
    category: "account",
    priority: "medium",
    keywords: [
      "password",
      "passwords",
      "sso",
      "single sign-on",
      "saml",
      "permission",
      "permissions",
      "2fa",
      "mfa",
      "two-factor",
      "locked out",
    ],
  },
  {
    id: "feature_request",
    category: "feature_request",
    priority: "low",
    keywords: [
      "feature request",
      "would be nice",
      "would be great",
      "it would help",
      "wish list",
      "wishlist",
    ],
  },
]);

export const UNTRIAGED: Readonly<TriageResult> = Object.freeze({
  category: "other",
  priority: "medium",
  ruleId: null,
});

const WORD_CHAR = "[\\p{L}\\p{N}_-]";

function keywordPattern(keyword: string): RegExp {
  const body = keyword
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/['’]/g, "['’]"))
    .join("\\s+");
  return new RegExp(`(?<!${WORD_CHAR})${body}(?!${WORD_CHAR})`, "iu");
}

// Global and sticky flags make test() stateful (lastIndex), which would make triage flaky.
function caseInsensitive(pattern: RegExp): RegExp {
  const flags = pattern.flags.replace(/[gy]/g, "");
  return new RegExp(pattern.source, flags.includes("i") ? flags : `${flags}i`);
}

const compiled = new WeakMap<TriageRule, RegExp[]>();

function patternsOf(rule: TriageRule, index: number): RegExp[] {
  const cached = compiled.get(rule);
  if (cached) return cached;
  const fail = (message: string) =>
    new InvalidInputError("invalid_triage_rule", message, { details: { index, ruleId: rule?.id } });
  if (rule === null || typeof rule !== "object") throw fail("triage rule must be an object");
  if (typeof rule.id !== "string" || rule.id === "") throw fail("triage rule id must be a non-empty string");
  if (!(TICKET_CATEGORIES as readonly string[]).includes(rule.category)) {
    throw fail(`triage rule ${rule.id} has an unknown category`);
  }
  if (!isTicketPriority(rule.priority)) {
    throw fail(`triage rule ${rule.id} priority must be one of ${TICKET_PRIORITIES.join(", ")}`);
  }
  const keywords = rule.keywords ?? [];
  const patterns = rule.patterns ?? [];
  if (!keywords.every((keyword) => typeof keyword === "string" && keyword.trim() !== "")) {
    throw fail(`triage rule ${rule.id} has a blank keyword`);
  }
  if (!patterns.every((pattern) => pattern instanceof RegExp)) {
    throw fail(`triage rule ${rule.id} patterns must be regular expressions`);
  }
  const all = [...keywords.map(keywordPattern), ...patterns.map(caseInsensitive)];
  if (all.length === 0) throw fail(`triage rule ${rule.id} has no keywords or patterns`);
  compiled.set(rule, all);
  return all;
}

function checkText(ticket: TicketText): string[] {
  if (ticket === null || typeof ticket !== "object") {
    throw new InvalidInputError("invalid_ticket_subject", "ticket subject is required", {
      details: { field: "subject" },
    });
  }
  const { subject, description } = ticket;
  if (typeof subject !== "string" || subject.trim() === "") {
    throw new InvalidInputError("invalid_ticket_subject", "ticket subject is required", {
      details: { field: "subject" },
    });
  }
  if (subject.length > MAX_SUBJECT_LENGTH) {
    throw new InvalidInputError(
      "invalid_ticket_subject",
      `ticket subject must be at most ${MAX_SUBJECT_LENGTH} characters`,
      { details: { field: "subject", max: MAX_SUBJECT_LENGTH, length: subject.length } },
    );
  }
  if (description !== undefined && description !== null) {
    if (typeof description !== "string") {
      throw new InvalidInputError("invalid_ticket_description", "ticket description must be text", {
        details: { field: "description" },
      });
    }
    if (description.length > MAX_DESCRIPTION_LENGTH) {
      throw new InvalidInputError(
        "invalid_ticket_description",
        `ticket description must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
        { details: { field: "description", max: MAX_DESCRIPTION_LENGTH, length: description.length } },
      );
    }
  }
  // Matched separately so a phrase cannot be formed from the subject's end and the description's start.
  return description ? [subject, description] : [subject];
}

export function triageTicket(
  ticket: TicketText,
  rules: readonly TriageRule[] = DEFAULT_TRIAGE_RULES,
): TriageResult {
  const texts = checkText(ticket);
  if (!Array.isArray(rules)) {
    throw new InvalidInputError("invalid_triage_rule", "triage rules must be an array", { details: {} });
  }
  for (const [index, rule] of rules.entries()) {
    if (patternsOf(rule, index).some((pattern) => texts.some((text) => pattern.test(text)))) {
      return { category: rule.category, priority: rule.priority, ruleId: rule.id };
    }
  }
  return { ...UNTRIAGED };
}
