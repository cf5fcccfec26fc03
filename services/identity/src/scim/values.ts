import { ScimError } from "./errors";
import {
  findAttribute,
  isJsonObject,
  type ScimAttribute,
  type ScimResourceSchema,
  topLevelAttributes,
} from "./schemas";

/**
 * Turns client JSON into values of the attribute's declared type, tolerating what real identity
 * providers send: Entra sends booleans as "True"/"False" strings, some clients send `"primary": "true"`.
 * Unknown sub-attributes are dropped. `null` is kept: it means "unassigned" (RFC 7643 §2.5).
 */
export function coerceValue(attribute: ScimAttribute, raw: unknown, label: string): unknown {
  if (raw === null || raw === undefined) return null;
  if (attribute.multiValued) {
    if (!Array.isArray(raw)) throw ScimError.invalidValue(`${label} must be an array`);
    return raw.map((element, index) => coerceSingleValue(attribute, element, `${label}[${index}]`));
  }
  return coerceSingleValue(attribute, raw, label);
}

/** One value of the attribute: for a multi-valued attribute, one element. */
export function coerceSingleValue(attribute: ScimAttribute, raw: unknown, label: string): unknown {
  if (raw === null || raw === undefined) return null;
  switch (attribute.type) {
    case "complex":
      return coerceComplex(attribute, raw, label);
    case "boolean":
      return coerceBoolean(raw, label);
    case "string":
    case "reference":
    case "dateTime":
      if (typeof raw !== "string") throw ScimError.invalidValue(`${label} must be a string`);
      return raw;
  }
}

function coerceBoolean(raw: unknown, label: string): boolean {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string") {
    const lowered = raw.trim().toLowerCase();
    if (lowered === "true") return true;
    if (lowered === "false") return false;
  }
  throw ScimError.invalidValue(`${label} must be true or false`);
}

/** One value of a complex attribute; unlike coerceValue, null is refused. */
export function coerceComplex(
  attribute: ScimAttribute,
  raw: unknown,
  label: string,
): Record<string, unknown> {
  if (!isJsonObject(raw)) throw ScimError.invalidValue(`${label} must be an object`);
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const subAttribute = findAttribute(attribute.subAttributes ?? [], key);
    if (subAttribute === undefined || value === undefined) continue;
    result[subAttribute.name] = coerceValue(subAttribute, value, `${label}.${subAttribute.name}`);
  }
  return result;
}

/**
 * The client-writable attributes of a POST/PUT body, keyed by their canonical names. Read-only
 * attributes (id, meta) are ignored as RFC 7644 §3.3 asks, and so are attributes this service does
 * not know.
 */
export function coerceResourceBody(
  resource: ScimResourceSchema,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const attributes = topLevelAttributes(resource);
  const document: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const attribute = findAttribute(attributes, key);
    if (attribute === undefined || attribute.mutability === "readOnly" || value === undefined) continue;
    if (Object.hasOwn(document, attribute.name)) {
      throw ScimError.invalidSyntax(`${resource.resourceType} attribute ${attribute.name} is given twice`);
    }
    document[attribute.name] = coerceValue(attribute, value, attribute.name);
  }
  return document;
}

/** A body's `schemas`, if present, must name the resource's core schema; Okta and Entra always send it. */
export function checkSchemasMember(body: Record<string, unknown>, expectedUrn: string, what: string): void {
  const schemas = body.schemas;
  if (schemas === undefined || schemas === null) return;
  if (!Array.isArray(schemas) || !schemas.every((urn) => typeof urn === "string")) {
    throw ScimError.invalidSyntax(`schemas must be an array of schema URNs`);
  }
  const expected = expectedUrn.toLowerCase();
  if (!schemas.some((urn: string) => urn.toLowerCase() === expected)) {
    throw ScimError.invalidSyntax(`schemas must include ${expectedUrn} for ${what}`);
  }
}
