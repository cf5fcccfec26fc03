import { InvalidInputError } from "@platform/errors";
import { AuthErrorCodes } from "./codes";

/**
 * Permission syntax: `resource.action`, lower-case segments of letters, digits, `_` and `-`.
 * The LAST segment is the action and everything before it the resource, so resources may be dotted:
 * `billing.invoices.read` is action `read` on resource `billing.invoices`.
 *
 * Grants may end in `.*` (every action of exactly that resource) or be `*` (everything). A wildcard
 * covers one resource, not the resources "below" it: `billing.*` does not cover `billing.invoices.read`,
 * because a grant should never silently widen when someone adds a sub-resource. A `*` inside a segment
 * (`proj*`) or in the resource part (`*.read`) is not a wildcard, and such a grant matches nothing.
 */
const SEGMENT = "[a-z][a-z0-9_-]*";
const CONCRETE = new RegExp(`^${SEGMENT}(\\.${SEGMENT})+$`);
const RESOURCE_WILDCARD = new RegExp(`^${SEGMENT}(\\.${SEGMENT})*\\.\\*$`);

export const ALL_PERMISSIONS = "*";

/** True for a permission a route or command may require: concrete `resource.action`, no wildcard. */
export function isConcretePermission(permission: string): boolean {
  return CONCRETE.test(permission);
}

/** True for a permission a role or API key may be granted: concrete, `resource.*`, or `*`. */
export function isValidGrant(permission: string): boolean {
  return (
    typeof permission === "string" &&
    (permission === ALL_PERMISSIONS || CONCRETE.test(permission) || RESOURCE_WILDCARD.test(permission))
  );
}

/** Throws unless every grant is well-formed; identity runs the same check before publishing a role. */
export function assertValidGrants(permissions: readonly string[]): void {
  const invalid = permissions.filter((permission) => !isValidGrant(permission));
  if (invalid.length > 0) {
    throw new InvalidInputError(
      AuthErrorCodes.invalidPermission,
      `malformed permission grant(s): ${invalid.join(", ")}; expected resource.action, resource.* or *`,
      { details: { invalid } },
    );
  }
}

export function assertConcretePermission(required: string): void {
  if (!isConcretePermission(required)) {
    throw new InvalidInputError(
      AuthErrorCodes.invalidPermission,
      `"${required}" is not a concrete resource.action permission`,
      { details: { permission: required } },
    );
  }
}

/**
 * Whether `granted` covers `required`. Malformed grants match nothing rather than throw: grants come
 * from data (role events, API-key scopes), and one bad entry must not lock a caller out of the rest.
 */
export function permits(granted: readonly string[], required: string): boolean {
  assertConcretePermission(required);
  const resource = required.slice(0, required.lastIndexOf("."));
  for (const grant of granted) {
    if (grant === ALL_PERMISSIONS || grant === required) return true;
    if (grant === `${resource}.*`) return true;
  }
  return false;
}

/**
 * Whether `held` covers the grant `grant` entirely, wildcards included: `*` only by `*`, `res.*` by
 * `res.*` or `*`, a concrete permission as `permits` says. What a person may hand on to a credential.
 */
export function coversGrant(held: readonly string[], grant: string): boolean {
  if (held.includes(ALL_PERMISSIONS)) return true;
  if (grant === ALL_PERMISSIONS) return false;
  if (RESOURCE_WILDCARD.test(grant)) return held.includes(grant);
  return CONCRETE.test(grant) && permits(held, grant);
}

/** The requested grants that `held` does not cover: empty when a credential may be minted as asked. */
export function grantsBeyond(held: readonly string[], requested: readonly string[]): string[] {
  return [...new Set(requested.filter((grant) => !coversGrant(held, grant)))];
}

/**
 * The grants both sets hold: a credential's scope narrowed to what its creator holds now. Wildcards
 * nest (`*` ⊃ `res.*` ⊃ `res.action`), so the intersection is every grant of one side that the other
 * side covers: `["*"]` ∩ `["members.*"]` is `["members.*"]`, `["members.*"]` ∩ `["members.read"]` is
 * `["members.read"]`.
 */
export function intersectGrants(a: readonly string[], b: readonly string[]): string[] {
  return [
    ...new Set([
      ...a.filter((grant) => coversGrant(b, grant)),
      ...b.filter((grant) => coversGrant(a, grant)),
    ]),
  ].sort();
}
