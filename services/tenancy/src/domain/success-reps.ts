/**
 * Customer success rep assignment (seed 001 onboarding: "assign customer success rep" by size,
 * industry and plan). The seed asks an AI; here an admin-maintained rule list decides, so every
 * assignment can be explained by the rule id recorded on SuccessRepAssigned.
 *
 * Rules are tried by priority (lower first, ties by id so the order never depends on storage order);
 * the first whose every criterion matches wins, and its reps take turns (round-robin) through a
 * per-rule cursor the caller stores. The first matching rule is final: falling through to a broader
 * rule when it has no reps would silently hand, say, enterprise customers to the self-serve team.
 *
 * A criterion that is absent or an empty list does not constrain. A criterion the organization
 * cannot answer (employees, industry or plan unknown) does not match: an unknown size is not "in
 * 1-50". Industry and plan compare case-insensitively, ignoring surrounding spaces, because they come
 * from free-text profile fields. A rep listed twice in a rule gets twice the turns (a way to weight).
 */
import type { TenancyPayloads } from "@platform/contracts";
import { InvalidInputError } from "@platform/errors";
import { type Decided, TenancyEvent } from "./events";

export interface AssignmentMatch {
  /** Inclusive. */
  minEmployees?: number;
  /** Inclusive. */
  maxEmployees?: number;
  industries?: string[];
  plans?: string[];
}

export interface AssignmentRule {
  id: string;
  /** Lower is tried first. */
  priority: number;
  /** Empty: matches every organization (a catch-all). */
  match: AssignmentMatch;
  reps: string[];
}

export interface OrganizationProfile {
  employees: number | null;
  industry: string | null;
  plan: string | null;
}

export interface RepChoice {
  ruleId: string;
  repId: string;
  /** The cursor to store for this rule, so the next organization gets the next rep. */
  nextCursor: number;
}

const normalise = (value: string): string => value.trim().toLowerCase();

function inList(list: readonly string[] | undefined, value: string | null): boolean {
  if (list === undefined || list.length === 0) return true;
  if (value === null) return false;
  const wanted = normalise(value);
  return list.some((entry) => normalise(entry) === wanted);
}

function matches(match: AssignmentMatch, org: OrganizationProfile): boolean {
  const { minEmployees, maxEmployees } = match;
  if (minEmployees !== undefined || maxEmployees !== undefined) {
    if (org.employees === null) return false;
    if (minEmployees !== undefined && org.employees < minEmployees) return false;
    if (maxEmployees !== undefined && org.employees > maxEmployees) return false;
  }
  return inList(match.industries, org.industry) && inList(match.plans, org.plan);
}

/** Evaluation order: priority, then id. Does not mutate the input. */
export function orderRules(rules: readonly AssignmentRule[]): AssignmentRule[] {
  return [...rules].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function checkProfile(org: OrganizationProfile): void {
  const problem = (field: string, value: unknown) =>
    new InvalidInputError("invalid_organization_profile", `organization ${field} is invalid`, {
      details: { field, value },
    });
  if (org === null || typeof org !== "object") throw problem("profile", org);
  const { employees, industry, plan } = org;
  if (employees !== null && (typeof employees !== "number" || !Number.isFinite(employees) || employees < 0)) {
    throw problem("employees", employees);
  }
  if (industry !== null && typeof industry !== "string") throw problem("industry", industry);
  if (plan !== null && typeof plan !== "string") throw problem("plan", plan);
}

export function chooseRep(
  rules: readonly AssignmentRule[],
  org: OrganizationProfile,
  cursor: (ruleId: string) => number,
): RepChoice {
  checkProfile(org);
  const rule = orderRules(rules).find((candidate) => matches(candidate.match ?? {}, org));
  if (rule === undefined) {
    throw new InvalidInputError("no_assignment_rule", "no assignment rule matches the organization", {
      details: { employees: org.employees, industry: org.industry, plan: org.plan },
    });
  }
  if (rule.reps.length === 0) {
    throw new InvalidInputError("no_assignment_rule", `assignment rule ${rule.id} has no reps`, {
      details: { ruleId: rule.id },
    });
  }
  const position = cursor(rule.id);
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new InvalidInputError("invalid_assignment_cursor", "cursor must be a non-negative integer", {
      details: { ruleId: rule.id, cursor: position },
    });
  }
  const repId = rule.reps[position % rule.reps.length] as string;
  return { ruleId: rule.id, repId, nextCursor: position + 1 };
}

function isCount(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((entry) => typeof entry === "string" && entry.trim() !== "");
}

/** For the admin API before saving a rule set: throws on the first problem, with the rule's id. */
export function validateRules(rules: readonly AssignmentRule[]): void {
  if (!Array.isArray(rules)) {
    throw new InvalidInputError("invalid_assignment_rule", "rules must be an array", { details: {} });
  }
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const fail = (code: string, message: string, extra: Record<string, unknown> = {}) =>
      new InvalidInputError(code, message, { details: { index, ruleId: rule?.id, ...extra } });
    if (rule === null || typeof rule !== "object")
      throw fail("invalid_assignment_rule", "rule must be an object");
    if (typeof rule.id !== "string" || rule.id.trim() === "") {
      throw fail("invalid_assignment_rule", "rule id must be a non-empty string");
    }
    if (seen.has(rule.id)) throw fail("duplicate_rule_id", `rule id ${rule.id} is used twice`);
    seen.add(rule.id);
    if (typeof rule.priority !== "number" || !Number.isFinite(rule.priority)) {
      throw fail("invalid_assignment_rule", `rule ${rule.id} priority must be a finite number`);
    }
    if (!Array.isArray(rule.reps) || rule.reps.length === 0) {
      throw fail("empty_rule_reps", `rule ${rule.id} has no reps`);
    }
    if (!isStringList(rule.reps)) throw fail("invalid_assignment_rule", `rule ${rule.id} has a blank rep id`);
    const match = rule.match;
    if (match === null || typeof match !== "object") {
      throw fail("invalid_assignment_rule", `rule ${rule.id} match must be an object`);
    }
    for (const field of ["minEmployees", "maxEmployees"] as const) {
      if (match[field] !== undefined && !isCount(match[field])) {
        throw fail("invalid_assignment_rule", `rule ${rule.id} ${field} must be a non-negative number`, {
          field,
        });
      }
    }
    if (
      match.minEmployees !== undefined &&
      match.maxEmployees !== undefined &&
      match.minEmployees > match.maxEmployees
    ) {
      throw fail("invalid_employee_range", `rule ${rule.id} minEmployees is above maxEmployees`, {
        minEmployees: match.minEmployees,
        maxEmployees: match.maxEmployees,
      });
    }
    for (const field of ["industries", "plans"] as const) {
      if (match[field] !== undefined && !isStringList(match[field])) {
        throw fail("invalid_assignment_rule", `rule ${rule.id} ${field} must be a list of names`, { field });
      }
    }
  });
}

type SuccessRepAssigned = TenancyPayloads[typeof TenancyEvent.SuccessRepAssigned];

/**
 * The organization's rep assignment (`rep:${accountId}` in the log): what the inline projection
 * writes to `rep_assignments`. A rule's cursor is not state of its own: it is how many
 * SuccessRepAssigned name the rule (each assignment moves it on by one, see `chooseRep`).
 */
export interface RepAssignmentState {
  accountId: string;
  repId: string;
  ruleId: string;
  assignedAt: Date;
  /** The version of the assignment's last event. */
  version: number;
}

export type RepAssignmentEvent = {
  type: typeof TenancyEvent.SuccessRepAssigned;
  data: Decided<SuccessRepAssigned>;
};

/** A new rule's choice assigns its rep; the same rule as now keeps the rep the organization has. */
export function decideAssignment(
  current: RepAssignmentState | null,
  choice: RepChoice,
): RepAssignmentEvent[] {
  if (current?.ruleId === choice.ruleId) return [];
  return [
    {
      type: TenancyEvent.SuccessRepAssigned,
      data: { rep_id: choice.repId, previous_rep_id: current?.repId ?? null, rule_id: choice.ruleId },
    },
  ];
}

/** A stored SuccessRepAssigned folded into the assignment; the time is the event's. */
export function evolveAssignment(event: {
  version: number;
  occurredAt: Date;
  data: SuccessRepAssigned;
}): RepAssignmentState {
  return {
    accountId: event.data.account_id,
    repId: event.data.rep_id,
    ruleId: event.data.rule_id,
    assignedAt: event.occurredAt,
    version: event.version,
  };
}
