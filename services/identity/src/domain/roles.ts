import { assertMayGrant, assertValidGrants, type Principal } from "@platform/auth";
import { InvalidInputError, PlatformError } from "@platform/errors";

const ROLE_NAME = /^[a-z][a-z0-9_]{1,49}$/;

/** What an organization's role is now: its inline-projected row (null before its first definition). */
export interface RoleState {
  version: number;
}

export interface DefineRole {
  accountId: string;
  role: string;
  permissions: unknown;
  description?: unknown;
  /** Who defines it: a role never grants more than its definer holds. */
  principal: Principal;
}

/** The role aggregate's id: one per organization and role name. */
export const roleAggregateId = (accountId: string | null, role: string) =>
  `role:${accountId ?? "platform"}:${role}`;

/**
 * Decides a role definition: the RoleDefined it makes (without time and actor), and the version it
 * must be appended after. Pure: the rules of role names, reserved roles and grants, nothing else.
 */
export function decideRoleDefinition(
  state: RoleState | null,
  command: DefineRole,
): {
  expectedVersion: number;
  event: { account_id: string; role: string; permissions: string[]; description: string | null };
} {
  const { role, accountId } = command;
  if (!ROLE_NAME.test(role))
    throw new InvalidInputError("role_name_invalid", "role names are 2-50 lower-case letters, digits or _", {
      details: { field: "role" },
    });
  // The owner role is what lets an organization recover from any other misconfiguration.
  if (role === "owner")
    throw new PlatformError("forbidden", "role_reserved", "the owner role cannot be redefined");
  if (!Array.isArray(command.permissions) || !command.permissions.every((p) => typeof p === "string"))
    throw new InvalidInputError(
      "permissions_invalid",
      "permissions must be a list of resource.action strings",
      {
        details: { field: "permissions" },
      },
    );
  const permissions = [...new Set(command.permissions as string[])];
  try {
    assertValidGrants(permissions);
  } catch (error) {
    throw new InvalidInputError("permissions_invalid", (error as Error).message, {
      details: { field: "permissions" },
    });
  }
  // Redefining a role hands its permissions to everyone who holds it: only within the definer's own.
  assertMayGrant(command.principal, permissions, `the role ${role}`);
  const description = typeof command.description === "string" ? command.description.slice(0, 500) : null;
  return {
    expectedVersion: state?.version ?? 0,
    event: { account_id: accountId, role, permissions, description },
  };
}
