import { type Compare, type Filter, parse } from "scim2-parse-filter";
import { tokenizer } from "scim2-parse-filter/lib/src/parser";
import { ScimError } from "./errors";
import {
  COMMON_ATTRIBUTES,
  findAttribute,
  getIgnoringCase,
  isJsonObject,
  RESOURCE_SCHEMAS,
  type ScimAttribute,
  type ScimResourceTypeName,
  splitSchemaUrn,
  topLevelAttributes,
} from "./schemas";

/** The filter AST of scim2-parse-filter, with attribute paths rewritten to their canonical names. */
export type ScimFilter = Filter;
export type ScimFilterOperator = Filter["op"];

/** The attributes a filter may name, and the schema URNs it may qualify them with. */
export interface FilterScope {
  readonly attributes: readonly ScimAttribute[];
  readonly schemaUrns: readonly string[];
}

/** Bounds the library's tokenizer, which re-slices the remaining input per token (quadratic). */
export const FILTER_MAX_LENGTH = 4096;

function resourceScope(resourceType: ScimResourceTypeName): FilterScope {
  const resource = RESOURCE_SCHEMAS.find((candidate) => candidate.resourceType === resourceType);
  if (resource === undefined) throw new Error(`no SCIM schema for resource type ${resourceType}`);
  return { attributes: topLevelAttributes(resource), schemaUrns: [resource.schema] };
}

/** Users and Groups share no attribute name with different semantics, so one scope can serve both. */
const ANY_RESOURCE_SCOPE: FilterScope = {
  attributes: [
    ...COMMON_ATTRIBUTES,
    ...RESOURCE_SCHEMAS.flatMap((resource) => resource.attributes).filter(
      (attribute, index, all) => all.findIndex((other) => other.name === attribute.name) === index,
    ),
  ],
  schemaUrns: RESOURCE_SCHEMAS.map((resource) => resource.schema),
};

/**
 * Parses a `filter` query parameter (RFC 7644 §3.4.2.2). Without a resource type, any User or Group
 * attribute may be named. The result names attributes canonically (`name.familyName`, no URN prefix),
 * so a later translation to SQL needs no case or URN handling.
 */
export function parseFilter(text: string, resourceType?: ScimResourceTypeName): ScimFilter {
  return parseFilterInScope(
    text,
    resourceType === undefined ? ANY_RESOURCE_SCOPE : resourceScope(resourceType),
  );
}

export function parseFilterInScope(text: string, scope: FilterScope): ScimFilter {
  if (text.length > FILTER_MAX_LENGTH) {
    throw ScimError.invalidFilter(`filters are limited to ${FILTER_MAX_LENGTH} characters`);
  }
  let parsed: Filter;
  try {
    rejectSubAttributeAfterValuePath(text);
    parsed = parse(text);
  } catch (error) {
    if (error instanceof ScimError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw ScimError.invalidFilter(`${JSON.stringify(text)} is not a valid filter: ${reason}`);
  }
  return canonicalize(parsed, scope, false);
}

/**
 * `emails[type eq "work"].value co "x"` is PATCH path syntax, not filter syntax (RFC 7644 §3.4.2.2
 * ABNF). The library accepts it but rewrites it to `emails[type eq "work"] and emails.value co "x"`,
 * which also matches a user whose *home* address contains "x". Refusing is better than a wrong answer.
 */
function rejectSubAttributeAfterValuePath(text: string): void {
  if (tokenizer(text).some((token) => token.type === "Bracket" && token.literal === "].")) {
    throw ScimError.invalidFilter(
      'a sub-attribute after a value filter is only valid in PATCH paths; write emails[type eq "work" and value co "x"] instead',
    );
  }
}

function canonicalize(filter: Filter, scope: FilterScope, insideValueFilter: boolean): Filter {
  switch (filter.op) {
    case "and":
    case "or":
      return {
        op: filter.op,
        filters: filter.filters.map((child) => canonicalize(child, scope, insideValueFilter)),
      };
    case "not":
      return { op: "not", filter: canonicalize(filter.filter, scope, insideValueFilter) };
    case "[]": {
      if (insideValueFilter) throw ScimError.invalidFilter("value filters cannot be nested");
      const target = resolveFilterAttribute(filter.attrPath, scope);
      if (target.attribute.type !== "complex") {
        throw ScimError.invalidFilter(`${target.path} has no sub-attributes to filter on`);
      }
      return {
        op: "[]",
        attrPath: target.path,
        valFilter: canonicalize(filter.valFilter, subAttributeScope(target.attribute), true),
      };
    }
    case "pr":
      return { op: "pr", attrPath: resolveFilterAttribute(filter.attrPath, scope).path };
    default: {
      const target = resolveFilterAttribute(filter.attrPath, scope);
      checkComparable(filter.op, target, filter.compValue);
      return { op: filter.op, attrPath: target.path, compValue: filter.compValue };
    }
  }
}

export function subAttributeScope(attribute: ScimAttribute): FilterScope {
  return { attributes: attribute.subAttributes ?? [], schemaUrns: [] };
}

interface FilterTarget {
  /** Canonical path, e.g. `name.familyName`. */
  path: string;
  names: string[];
  attribute: ScimAttribute;
}

function resolveFilterAttribute(attrPath: string, scope: FilterScope): FilterTarget {
  const { urn, attributePath } = splitSchemaUrn(attrPath);
  if (urn !== undefined && !scope.schemaUrns.some((allowed) => allowed.toLowerCase() === urn.toLowerCase())) {
    throw ScimError.invalidFilter(`filtering on attributes of ${urn} is not supported`);
  }
  const [topName = "", subName, ...deeper] = attributePath.split(".");
  const top = findAttribute(scope.attributes, topName);
  if (top === undefined || deeper.length > 0) {
    throw ScimError.invalidFilter(`filtering on "${attrPath}" is not supported`);
  }
  if (subName === undefined) return { path: top.name, names: [top.name], attribute: top };
  const sub = findAttribute(top.subAttributes ?? [], subName);
  if (sub === undefined) throw ScimError.invalidFilter(`filtering on "${attrPath}" is not supported`);
  return { path: `${top.name}.${sub.name}`, names: [top.name, sub.name], attribute: sub };
}

const SUBSTRING_OPERATORS = new Set<Compare["op"]>(["co", "sw", "ew"]);

/** RFC 7644 §3.4.2.2: ordering on booleans, or comparing a complex attribute, is an invalidFilter. */
function checkComparable(op: Compare["op"], target: FilterTarget, compValue: Compare["compValue"]): void {
  const { attribute, path } = target;
  if (attribute.type === "complex") {
    const example = attribute.subAttributes?.[0]?.name ?? "value";
    throw ScimError.invalidFilter(
      `${path} is complex; compare one of its sub-attributes, e.g. ${path}.${example}`,
    );
  }
  if (compValue === null) {
    if (op !== "eq" && op !== "ne") throw ScimError.invalidFilter(`${op} cannot compare ${path} with null`);
    return;
  }
  switch (attribute.type) {
    case "boolean":
      if (typeof compValue !== "boolean") {
        throw ScimError.invalidFilter(`${path} is a boolean; compare it with true or false`);
      }
      if (op !== "eq" && op !== "ne")
        throw ScimError.invalidFilter(`${op} is not defined for boolean ${path}`);
      return;
    case "dateTime":
      if (SUBSTRING_OPERATORS.has(op)) {
        throw ScimError.invalidFilter(`${op} is not defined for date-time ${path}`);
      }
      if (typeof compValue !== "string" || instantOf(compValue) === undefined) {
        throw ScimError.invalidFilter(
          `${path} compares with a date-time string such as "2011-05-13T04:42:34Z"`,
        );
      }
      return;
    default:
      if (typeof compValue !== "string")
        throw ScimError.invalidFilter(`${path} is a string; quote the value`);
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/i;

/** Milliseconds since the epoch; an xsd:dateTime without offset is read as UTC, not server-local time. */
function instantOf(text: string): number | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const hasOffset = /(?:Z|[+-]\d{2}:\d{2})$/i.test(text);
  const instant = Date.parse(hasOffset ? text : `${text}Z`);
  return Number.isNaN(instant) ? undefined : instant;
}

/** Evaluates a filter against a resource's SCIM JSON representation (what toScimUser/toScimGroup return). */
export function matchesFilter(filter: ScimFilter, resource: unknown): boolean {
  return evaluateFilter(filter, resource, ANY_RESOURCE_SCOPE);
}

export function evaluateFilter(filter: Filter, node: unknown, scope: FilterScope): boolean {
  switch (filter.op) {
    case "and":
      return filter.filters.every((child) => evaluateFilter(child, node, scope));
    case "or":
      return filter.filters.some((child) => evaluateFilter(child, node, scope));
    case "not":
      return !evaluateFilter(filter.filter, node, scope);
    case "[]": {
      const target = resolveFilterAttribute(filter.attrPath, scope);
      const elementScope = subAttributeScope(target.attribute);
      return valuesAt(node, target.names).some(
        (element) => isJsonObject(element) && evaluateFilter(filter.valFilter, element, elementScope),
      );
    }
    case "pr":
      return valuesAt(node, resolveFilterAttribute(filter.attrPath, scope).names).some(hasValue);
    default: {
      const target = resolveFilterAttribute(filter.attrPath, scope);
      const values = valuesAt(node, target.names);
      // RFC 7643 §2.5: unassigned equals null, so `externalId ne "x"` matches a user without one.
      const candidates = values.length === 0 ? [null] : values;
      // RFC 7644 §3.4.2.2: a multi-valued attribute matches when any one of its values does.
      return candidates.some((value) => compare(filter.op, target.attribute, value, filter.compValue));
    }
  }
}

/** Every value at the path, with multi-valued attributes flattened; unassigned values are left out. */
function valuesAt(node: unknown, names: readonly string[]): unknown[] {
  let current: unknown[] = [node];
  for (const name of names) {
    const next: unknown[] = [];
    for (const value of current) {
      if (!isJsonObject(value)) continue;
      const child = getIgnoringCase(value, name);
      if (Array.isArray(child)) next.push(...child);
      else next.push(child);
    }
    current = next;
  }
  return current.filter((value) => value !== null && value !== undefined);
}

/** RFC 7644 `pr`: a non-empty value, or a complex value with at least one non-empty sub-attribute. */
function hasValue(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return false;
  if (Array.isArray(value)) return value.some(hasValue);
  if (isJsonObject(value)) return Object.values(value).some(hasValue);
  return true;
}

function compare(
  op: Compare["op"],
  attribute: ScimAttribute,
  value: unknown,
  compValue: Compare["compValue"],
): boolean {
  if (op === "eq") return isEqual(attribute, value, compValue);
  if (op === "ne") return !isEqual(attribute, value, compValue);
  if (value === null || compValue === null) return false;
  if (SUBSTRING_OPERATORS.has(op)) {
    if (typeof value !== "string" || typeof compValue !== "string") return false;
    const haystack = foldCase(attribute, value);
    const needle = foldCase(attribute, compValue);
    if (op === "co") return haystack.includes(needle);
    if (op === "sw") return haystack.startsWith(needle);
    return haystack.endsWith(needle);
  }
  const order = ordering(attribute, value, compValue);
  if (order === undefined) return false;
  switch (op) {
    case "gt":
      return order > 0;
    case "ge":
      return order >= 0;
    case "lt":
      return order < 0;
    default:
      return order <= 0;
  }
}

function isEqual(attribute: ScimAttribute, value: unknown, compValue: Compare["compValue"]): boolean {
  if (value === null || compValue === null) return value === compValue;
  if (attribute.type === "dateTime") {
    const order = ordering(attribute, value, compValue);
    return order === 0;
  }
  if (typeof value === "string" && typeof compValue === "string") {
    return foldCase(attribute, value) === foldCase(attribute, compValue);
  }
  return value === compValue;
}

function ordering(
  attribute: ScimAttribute,
  value: unknown,
  compValue: Compare["compValue"],
): number | undefined {
  if (typeof value !== "string" || typeof compValue !== "string") return undefined;
  if (attribute.type === "dateTime") {
    const left = instantOf(value);
    const right = instantOf(compValue);
    return left === undefined || right === undefined ? undefined : Math.sign(left - right);
  }
  const left = foldCase(attribute, value);
  const right = foldCase(attribute, compValue);
  return left < right ? -1 : left > right ? 1 : 0;
}

function foldCase(attribute: ScimAttribute, text: string): string {
  return attribute.caseExact ? text : text.toLowerCase();
}
