import { InvalidInputError } from "@platform/errors";
import { AuthErrorCodes } from "./codes";
import { assertValidGrants } from "./permissions";

/**
 * The roles every organization starts with. Identity publishes them as platform-wide RoleDefined events
 * (account_id null) too; the copy here lets a service check permissions before it has read the topic
 * and keeps working if it never subscribes to role events at all.
 */
export const DEFAULT_ROLES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  owner: Object.freeze(["*"]),
  // Not organization.delete: closing is final, so it takes the owner (or a role the owner grants it to).
  admin: Object.freeze([
    "organization.read",
    "organization.update",
    "members.*",
    "groups.*",
    // Everything a member may do, so an admin can invite, add and provision members (a role can only
    // be handed on by someone who holds all of it).
    "projects.*",
    "invitations.*",
    "api_keys.*",
    "sso.*",
    "scim.*",
    "audit.read",
    "billing.read",
    // Reporting and reading metered usage (an admin mints the API key a backend reports usage with).
    "usage.*",
  ]),
  billing_manager: Object.freeze(["billing.*", "organization.read", "usage.read"]),
  member: Object.freeze(["organization.read", "groups.read", "projects.*", "members.read"]),
  viewer: Object.freeze(["organization.read", "groups.read", "projects.read"]),
});

/** The RoleDefined event's payload, as far as this package reads it. */
export interface RoleDefinedPayload {
  account_id: string | null;
  role: string;
  permissions: readonly string[];
  description?: string | null;
}

const NO_PERMISSIONS: readonly string[] = Object.freeze([]);
const PLATFORM = null;

/**
 * Role name -> permissions, platform-wide and per account. An account-specific definition replaces the
 * platform one for that account entirely (no merging), so an organization can also narrow a default role.
 */
export class RoleCatalog {
  private readonly definitions = new Map<string | null, Map<string, readonly string[]>>();

  constructor(defaults: Readonly<Record<string, readonly string[]>> = DEFAULT_ROLES) {
    for (const [role, permissions] of Object.entries(defaults)) this.define(PLATFORM, role, permissions);
  }

  define(accountId: string | null, role: string, permissions: readonly string[]): void {
    assertRoleName(role);
    if (accountId !== null) assertAccountId(accountId);
    assertValidGrants(permissions);
    let roles = this.definitions.get(accountId);
    if (!roles) {
      roles = new Map();
      this.definitions.set(accountId, roles);
    }
    roles.set(role, Object.freeze([...new Set(permissions)]));
  }

  /** Drops a definition; for an account, its platform definition applies again. */
  remove(accountId: string | null, role: string): void {
    const roles = this.definitions.get(accountId);
    roles?.delete(role);
    if (roles?.size === 0) this.definitions.delete(accountId);
  }

  /** The role's permissions in the account; an unknown role has none, so it can never grant by accident. */
  permissionsOf(accountId: string | null, role: string): readonly string[] {
    if (accountId !== null) {
      const own = this.definitions.get(accountId)?.get(role);
      if (own) return own;
    }
    return this.definitions.get(PLATFORM)?.get(role) ?? NO_PERMISSIONS;
  }

  /** Applies a RoleDefined event; throws InvalidInputError on a malformed one, so a consumer dead-letters it. */
  apply(event: RoleDefinedPayload): void {
    if (typeof event !== "object" || event === null || !Array.isArray(event.permissions)) {
      throw new InvalidInputError(
        AuthErrorCodes.invalidRole,
        "RoleDefined payload lacks a permissions array",
      );
    }
    this.define(event.account_id ?? null, event.role, event.permissions);
  }
}

function assertRoleName(role: unknown): asserts role is string {
  if (typeof role !== "string" || role.trim() === "") {
    throw new InvalidInputError(AuthErrorCodes.invalidRole, "role name must be a non-empty string");
  }
}

function assertAccountId(accountId: unknown): void {
  if (typeof accountId !== "string" || accountId === "") {
    throw new InvalidInputError(AuthErrorCodes.invalidRole, "account id must be a non-empty string or null");
  }
}
