import { ScimError, withDetailPrefix } from "./errors";
import { evaluateFilter, type ScimFilter, subAttributeScope } from "./filter";
import { groupDocument, groupInputFromDocument, type ScimGroupRecord } from "./groups";
import { type PatchTarget, parsePatchPath } from "./patch-path";
import {
  GROUP_SCHEMA,
  getIgnoringCase,
  isJsonObject,
  type ScimAttribute,
  type ScimResourceSchema,
  ScimSchemaUrns,
  USER_SCHEMA,
} from "./schemas";
import { type ScimUserRecord, userDocument, userInputFromDocument } from "./users";
import { coerceComplex, coerceValue } from "./values";

export type ScimPatchOperation =
  | { op: "add" | "replace"; path?: string; value: unknown }
  | { op: "remove"; path: string; value?: unknown };

type PatchOp = ScimPatchOperation["op"];
type ScimDocument = Record<string, unknown>;

/** Validates the shape of a PatchOp body (RFC 7644 §3.5.2); paths are checked when applied. */
export function parsePatchRequest(body: unknown): ScimPatchOperation[] {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax("the request body must be a JSON object");
  const schemas = body.schemas;
  // A missing schemas array is tolerated like on POST; a wrong one means a different message type.
  if (schemas !== undefined && schemas !== null) {
    const patchOp = ScimSchemaUrns.patchOp.toLowerCase();
    if (
      !Array.isArray(schemas) ||
      !schemas.some((urn) => typeof urn === "string" && urn.toLowerCase() === patchOp)
    ) {
      throw ScimError.invalidSyntax(`schemas must include ${ScimSchemaUrns.patchOp}`);
    }
  }
  const operations = getIgnoringCase(body, "Operations");
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.invalidSyntax("Operations must be a non-empty array");
  }
  return operations.map((operation: unknown, index) => {
    try {
      return parseOperation(operation);
    } catch (error) {
      throw withDetailPrefix(error, `Operations[${index}]`);
    }
  });
}

function parseOperation(operation: unknown): ScimPatchOperation {
  if (!isJsonObject(operation)) throw ScimError.invalidSyntax("each operation must be an object");
  const rawOp = getIgnoringCase(operation, "op");
  if (typeof rawOp !== "string")
    throw ScimError.invalidSyntax('op is required ("add", "replace" or "remove")');
  // Entra sends "Add", "Replace" and "Remove"; RFC 7644 spells them in lower case.
  const op = rawOp.toLowerCase();
  if (op !== "add" && op !== "replace" && op !== "remove") {
    throw ScimError.invalidValue(`op "${rawOp}" is not one of "add", "replace" or "remove"`);
  }
  const rawPath = getIgnoringCase(operation, "path");
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== "string") {
    throw ScimError.invalidPath("path must be a string");
  }
  const path = typeof rawPath === "string" && rawPath.trim() !== "" ? rawPath : undefined;
  const value = getIgnoringCase(operation, "value");
  if (op === "remove") {
    if (path === undefined) throw ScimError.noTarget("remove needs a path naming what to remove");
    return value === undefined ? { op, path } : { op, path, value };
  }
  if (value === undefined) throw ScimError.invalidValue(`${op} needs a value`);
  return path === undefined ? { op, value } : { op, path, value };
}

/**
 * Applies the operations in order and returns a new record; the input is never changed. Either every
 * operation applies or the first failure is thrown and nothing does (RFC 7644 §3.5.2). The caller owns
 * `version` and `lastModified`, which it bumps when it stores the result.
 */
export function applyUserPatch(
  record: ScimUserRecord,
  operations: readonly ScimPatchOperation[],
): ScimUserRecord {
  const document = applyOperations(USER_SCHEMA, userDocument(record), record.id, operations);
  return { ...record, ...userInputFromDocument(document, { activeWhenAbsent: false }) };
}

export function applyGroupPatch(
  record: ScimGroupRecord,
  operations: readonly ScimPatchOperation[],
): ScimGroupRecord {
  const document = applyOperations(GROUP_SCHEMA, groupDocument(record), record.id, operations);
  return { ...record, ...groupInputFromDocument(document) };
}

function applyOperations(
  resource: ScimResourceSchema,
  document: ScimDocument,
  resourceId: string,
  operations: readonly ScimPatchOperation[],
): ScimDocument {
  operations.forEach((operation, index) => {
    try {
      applyOperation(resource, document, resourceId, operation);
    } catch (error) {
      throw withDetailPrefix(
        error,
        `Operations[${index}] (${operation.op} ${operation.path ?? "without path"})`,
      );
    }
  });
  return document;
}

function applyOperation(
  resource: ScimResourceSchema,
  document: ScimDocument,
  resourceId: string,
  operation: ScimPatchOperation,
): void {
  if (operation.path !== undefined) {
    const target = parsePatchPath(operation.path, resource);
    if (target.kind === "unknown") {
      throw ScimError.invalidPath(`"${operation.path}" is not an attribute of a ${resource.resourceType}`);
    }
    applyToTarget(document, resourceId, operation.op, target, operation.value);
    return;
  }
  // Without a path the value is a partial resource whose keys are paths themselves: Okta sends
  // {"active": false}, Entra also sends {"name.givenName": "…"} and {"emails[type eq \"work\"].value": "…"}.
  if (!isJsonObject(operation.value)) {
    throw ScimError.invalidValue(`${operation.op} without a path needs an object value`);
  }
  for (const [key, value] of Object.entries(operation.value)) {
    if (key.toLowerCase() === "schemas") continue;
    const target = parsePatchPath(key, resource);
    // Unknown keys are ignored as in a POST body, which a path-less value is a fragment of.
    if (target.kind === "unknown") continue;
    applyToTarget(document, resourceId, operation.op, target, value);
  }
}

function applyToTarget(
  document: ScimDocument,
  resourceId: string,
  op: PatchOp,
  target: PatchTarget,
  value: unknown,
): void {
  if (target.kind !== "attribute") return;
  const { attribute, subAttribute, valueFilter } = target;
  if (attribute.mutability === "readOnly") {
    // Okta's documented group rename repeats the group's id inside the value; that changes nothing.
    if (attribute.name === "id" && op !== "remove" && value === resourceId) return;
    throw ScimError.mutability(`${attribute.name} is read-only`);
  }
  if (!attribute.multiValued) {
    applyToSingleValued(document, op, attribute, subAttribute, value);
  } else if (valueFilter !== undefined) {
    applyToFilteredValues(document, op, attribute, valueFilter, subAttribute, value);
  } else if (subAttribute !== undefined) {
    throw ScimError.invalidPath(
      `${attribute.name}.${subAttribute.name} would change every value; select values with a filter, e.g. ${attribute.name}[value eq "…"].${subAttribute.name}`,
    );
  } else {
    applyToMultiValued(document, op, attribute, value);
  }
}

function applyToSingleValued(
  document: ScimDocument,
  op: PatchOp,
  attribute: ScimAttribute,
  subAttribute: ScimAttribute | undefined,
  value: unknown,
): void {
  if (subAttribute !== undefined) {
    const current = document[attribute.name];
    const parent: ScimDocument = isJsonObject(current) ? { ...current } : {};
    if (op === "remove") delete parent[subAttribute.name];
    else
      parent[subAttribute.name] = coerceValue(subAttribute, value, `${attribute.name}.${subAttribute.name}`);
    document[attribute.name] = parent;
    return;
  }
  if (op === "remove") {
    // The records have no unassigned state for these; silently defaulting would e.g. reactivate a user.
    if (attribute.required || attribute.type === "boolean") {
      throw ScimError.invalidValue(`${attribute.name} cannot be removed; replace it instead`);
    }
    delete document[attribute.name];
    return;
  }
  const coerced = coerceValue(attribute, value, attribute.name);
  const current = document[attribute.name];
  // RFC 7644 §3.5.2.3: sub-attributes not in the value are left unchanged, for add and replace alike.
  document[attribute.name] =
    isJsonObject(coerced) && isJsonObject(current) ? { ...current, ...coerced } : coerced;
}

function applyToMultiValued(
  document: ScimDocument,
  op: PatchOp,
  attribute: ScimAttribute,
  value: unknown,
): void {
  const existing = elementsOf(document, attribute);
  if (op === "remove") {
    // Entra removes group members with {"op":"Remove","path":"members","value":[{"value":"id"}]}.
    if (value === undefined || value === null) document[attribute.name] = [];
    else {
      const doomed = coerceElements(attribute, value);
      document[attribute.name] = existing.filter(
        (element) => !doomed.some((candidate) => sameValue(attribute, element, candidate)),
      );
    }
    return;
  }
  const incoming = coerceElements(attribute, value);
  if (op === "replace") {
    document[attribute.name] = withSinglePrimary(attribute, incoming, incoming);
    return;
  }
  // RFC 7644 §3.5.2.1: adding a value that is already there changes nothing rather than duplicating it.
  const merged = [...existing];
  const written: ScimDocument[] = [];
  for (const element of incoming) {
    const index = merged.findIndex((candidate) => sameValue(attribute, candidate, element));
    const updated = index === -1 ? element : { ...merged[index], ...element };
    if (index === -1) merged.push(updated);
    else merged[index] = updated;
    written.push(updated);
  }
  document[attribute.name] = withSinglePrimary(attribute, merged, written);
}

function applyToFilteredValues(
  document: ScimDocument,
  op: PatchOp,
  attribute: ScimAttribute,
  valueFilter: ScimFilter,
  subAttribute: ScimAttribute | undefined,
  value: unknown,
): void {
  const scope = subAttributeScope(attribute);
  const elements = elementsOf(document, attribute);
  const selected = new Set(elements.filter((element) => evaluateFilter(valueFilter, element, scope)));
  if (op === "remove") {
    // Removing what is already gone succeeds, so an identity provider's retry does not fail.
    document[attribute.name] =
      subAttribute === undefined
        ? elements.filter((element) => !selected.has(element))
        : elements
            .map((element) => (selected.has(element) ? withoutKey(element, subAttribute.name) : element))
            // An email or member without its value identifies nothing, so it goes with its value.
            .filter((element) => element.value !== undefined);
    return;
  }
  if (subAttribute?.mutability === "immutable" && selected.size > 0) {
    throw ScimError.mutability(`${attribute.name}.${subAttribute.name} cannot be changed once set`);
  }
  const label = `${attribute.name}[…]${subAttribute === undefined ? "" : `.${subAttribute.name}`}`;
  const change: ScimDocument =
    subAttribute === undefined
      ? coerceComplex(attribute, value, label)
      : { [subAttribute.name]: coerceValue(subAttribute, value, label) };
  if (selected.size === 0) {
    if (op === "replace") {
      throw ScimError.noTarget(`no ${attribute.name} value matches the filter`);
    }
    // An add through a filter that matches nothing creates the value the filter describes, which is
    // how Entra adds a first work email: add emails[type eq "work"].value.
    const created = { ...equalitiesOf(valueFilter), ...change };
    document[attribute.name] = withSinglePrimary(attribute, [...elements, created], [created]);
    return;
  }
  const changed: ScimDocument[] = [];
  document[attribute.name] = withSinglePrimary(
    attribute,
    elements.map((element) => {
      if (!selected.has(element)) return element;
      const updated = { ...element, ...change };
      changed.push(updated);
      return updated;
    }),
    changed,
  );
}

function elementsOf(document: ScimDocument, attribute: ScimAttribute): ScimDocument[] {
  const elements = document[attribute.name];
  return Array.isArray(elements) ? elements.filter(isJsonObject) : [];
}

/** Values to add or remove: an array, or (as some clients send) one bare object. */
function coerceElements(attribute: ScimAttribute, value: unknown): ScimDocument[] {
  const elements = Array.isArray(value) ? value : [value];
  return elements.map((element, index) => coerceComplex(attribute, element, `${attribute.name}[${index}]`));
}

function sameValue(attribute: ScimAttribute, left: ScimDocument, right: ScimDocument): boolean {
  if (typeof left.value !== "string" || typeof right.value !== "string") return false;
  const caseExact = attribute.subAttributes?.find((sub) => sub.name === "value")?.caseExact ?? false;
  return caseExact ? left.value === right.value : left.value.toLowerCase() === right.value.toLowerCase();
}

/**
 * RFC 7643 §2.4 allows one primary value. When an operation marks a value primary, the others stop
 * being primary (RFC 7644 §3.5.2), rather than failing the request.
 */
function withSinglePrimary(
  attribute: ScimAttribute,
  elements: ScimDocument[],
  written: readonly ScimDocument[],
): ScimDocument[] {
  if (!attribute.subAttributes?.some((sub) => sub.name === "primary")) return elements;
  const newPrimary = written.findLast((element) => element.primary === true);
  if (newPrimary === undefined) return elements;
  return elements.map((element) =>
    element === newPrimary || element.primary !== true ? element : { ...element, primary: false },
  );
}

/** The sub-attribute values an `eq` filter pins down: `type eq "work"` gives {type: "work"}. */
function equalitiesOf(filter: ScimFilter): ScimDocument {
  if (filter.op === "eq") return { [filter.attrPath]: filter.compValue };
  if (filter.op === "and") return Object.assign({}, ...filter.filters.map(equalitiesOf));
  return {};
}

function withoutKey(element: ScimDocument, key: string): ScimDocument {
  const { [key]: _removed, ...rest } = element;
  return rest;
}
