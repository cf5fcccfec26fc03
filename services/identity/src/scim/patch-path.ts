import { ScimError } from "./errors";
import { type FilterScope, parseFilterInScope, type ScimFilter, subAttributeScope } from "./filter";
import {
  findAttribute,
  type ScimAttribute,
  type ScimResourceSchema,
  splitSchemaUrn,
  topLevelAttributes,
} from "./schemas";

/** What a PATCH `path` (RFC 7644 §3.5.2, `attrPath / valuePath [subAttr]`) points at. */
export type PatchTarget =
  /** A standard attribute this service does not store; the operation is skipped. */
  | { kind: "ignored"; path: string }
  /** Not an attribute of the resource at all. */
  | { kind: "unknown"; path: string }
  | {
      kind: "attribute";
      path: string;
      attribute: ScimAttribute;
      subAttribute: ScimAttribute | undefined;
      valueFilter: ScimFilter | undefined;
    };

// The attribute part is ATTRNAME *1("." ATTRNAME), optionally URN-qualified. A value filter may
// itself contain "]" inside quotes, so the filter runs to the *last* "]" that can end the path.
const PATH_SHAPE =
  /^(?<attribute>(?:urn:[^[\]]+:)?[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?)(?:\[(?<filter>.+)\](?:\.(?<subAttribute>[A-Za-z$][\w$-]*))?)?$/is;

export function parsePatchPath(text: string, resource: ScimResourceSchema): PatchTarget {
  const match = PATH_SHAPE.exec(text.trim());
  const groups = match?.groups;
  if (groups?.attribute === undefined) throw ScimError.invalidPath(`"${text}" is not a valid path`);
  const { urn, attributePath } = splitSchemaUrn(groups.attribute);
  if (urn !== undefined) {
    const lowered = groups.attribute.toLowerCase();
    if (resource.ignoredSchemaUrns.some((ignored) => lowered.startsWith(ignored.toLowerCase()))) {
      return { kind: "ignored", path: text };
    }
    if (urn.toLowerCase() !== resource.schema.toLowerCase()) return { kind: "unknown", path: text };
  }
  const [topName = "", dottedSubName] = attributePath.split(".");
  const filterText = groups.filter;
  const subName = dottedSubName ?? groups.subAttribute;
  if (dottedSubName !== undefined && filterText !== undefined) {
    throw ScimError.invalidPath(
      `"${text}": a value filter follows the multi-valued attribute, not its sub-attribute`,
    );
  }

  const attribute = findAttribute(topLevelAttributes(resource), topName);
  if (attribute === undefined) {
    return resource.ignoredAttributePaths.has(topName.toLowerCase())
      ? { kind: "ignored", path: text }
      : { kind: "unknown", path: text };
  }
  let subAttribute: ScimAttribute | undefined;
  if (subName !== undefined) {
    subAttribute = findAttribute(attribute.subAttributes ?? [], subName);
    if (subAttribute === undefined) {
      const ignoredPath = `${attribute.name}.${subName}`.toLowerCase();
      return resource.ignoredAttributePaths.has(ignoredPath)
        ? { kind: "ignored", path: text }
        : { kind: "unknown", path: text };
    }
  }
  let valueFilter: ScimFilter | undefined;
  if (filterText !== undefined) {
    if (!attribute.multiValued) {
      throw ScimError.invalidPath(`"${text}": value filters apply only to multi-valued attributes`);
    }
    valueFilter = parseValueFilter(filterText, subAttributeScope(attribute), text);
  }
  return { kind: "attribute", path: text, attribute, subAttribute, valueFilter };
}

function parseValueFilter(filterText: string, scope: FilterScope, path: string): ScimFilter {
  try {
    return parseFilterInScope(filterText, scope);
  } catch (error) {
    if (error instanceof ScimError) throw ScimError.invalidPath(`"${path}": ${error.detail}`);
    throw error;
  }
}
