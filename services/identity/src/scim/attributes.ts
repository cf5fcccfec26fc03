import { ScimError } from "./errors";

/** Attributes RFC 7643 marks `returned: "always"`: excludedAttributes cannot take them away. */
const ALWAYS_RETURNED = new Set(["id", "schemas"]);

/** One excluded attribute path: a top-level attribute and, for complex ones, a sub-attribute. */
interface ExcludedPath {
  attribute: string;
  subAttribute: string | null;
}

/**
 * RFC 7644 §3.4.2.5 `excludedAttributes`: a comma-separated list of attribute paths, optionally
 * qualified by their schema URN (`urn:…:User:name.givenName`). Names compare case-insensitively,
 * as every SCIM attribute name does.
 */
export function parseExcludedAttributes(query: unknown): ExcludedPath[] {
  if (query === undefined) return [];
  if (typeof query !== "string")
    throw ScimError.invalidValue("excludedAttributes must be one comma-separated list");
  return query
    .split(",")
    .map((path) => path.trim())
    .filter((path) => path.length > 0)
    .map((path) => {
      const unqualified = path.startsWith("urn:") ? path.slice(path.lastIndexOf(":") + 1) : path;
      const [attribute = "", subAttribute = null] = unqualified.toLowerCase().split(".");
      return { attribute, subAttribute };
    });
}

/** The resource without the excluded attributes (and sub-attributes); never without id or schemas. */
export function withoutAttributes<Resource extends object>(
  resource: Resource,
  excluded: readonly ExcludedPath[],
): Partial<Resource> {
  if (excluded.length === 0) return resource;
  const shaped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resource)) {
    const key = name.toLowerCase();
    if (ALWAYS_RETURNED.has(key)) {
      shaped[name] = value;
      continue;
    }
    const paths = excluded.filter((path) => path.attribute === key);
    if (paths.some((path) => path.subAttribute === null)) continue;
    const subAttributes = new Set(paths.map((path) => path.subAttribute));
    shaped[name] = subAttributes.size === 0 ? value : withoutSubAttributes(value, subAttributes);
  }
  return shaped as Partial<Resource>;
}

function withoutSubAttributes(value: unknown, excluded: Set<string | null>): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutSubAttributes(item, excluded));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([name]) => !excluded.has(name.toLowerCase())));
}
