import {
  assertMayGrant,
  assertValidGrants,
  DEFAULT_ROLES,
  type Principal,
  type RoleCatalog,
} from "@platform/auth";
import { ConcurrencyConflictError, InvalidInputError, PlatformError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent, SYSTEM_ACTOR } from "../domain/events";
import { appendEvents, type Clock, type Db, type RequestOrigin } from "./context";
import type { Credentials } from "./credentials";

const ROLE_NAME = /^[a-z][a-z0-9_]{1,49}$/;

export interface RoleView {
  role: string;
  permissions: readonly string[];
  description: string | null;
  custom: boolean;
}

/**
 * Role definitions: the platform's defaults (published once as RoleDefined with no account, so other
 * services can learn them from the topic) and each organization's own roles, which replace a default
 * of the same name in that organization.
 */
export class RoleService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly catalog: RoleCatalog,
    private readonly credentials: Credentials,
    private readonly clock: Clock,
  ) {}

  /**
   * Loads organizations' roles into the catalog, and publishes each default whenever the one last
   * published differs from the code's (a first start, or a release that changed a default): other
   * services' catalogs follow the topic, where the newest RoleDefined of a role wins.
   */
  async load(): Promise<void> {
    for (const row of await this.db.roleDefinition.findMany())
      this.catalog.define(row.accountId, row.role, row.permissions);
    for (const [role, permissions] of Object.entries(DEFAULT_ROLES)) {
      const aggregateId = `role:platform:${role}`;
      try {
        await this.db.$transaction(async (tx) => {
          const published = (await this.store.load(tx, aggregateId)).at(-1)?.data.permissions;
          if (samePermissions(published, permissions)) return;
          await appendEvents(
            this.store,
            tx,
            { type: "role", id: aggregateId },
            [
              {
                type: IdentityEvent.RoleDefined,
                data: {
                  account_id: null,
                  role,
                  permissions: [...permissions],
                  description: "platform default",
                  occurred_at: this.clock.now().getTime(),
                  actor: SYSTEM_ACTOR,
                },
              },
            ],
            SYSTEM_ACTOR,
          );
        });
      } catch (error) {
        // Another instance starting at the same moment published the same default first.
        if (!(error instanceof ConcurrencyConflictError)) throw error;
      }
    }
  }

  async define(
    accountId: string,
    role: string,
    input: { permissions: unknown; description?: unknown },
    principal: Principal,
    origin: RequestOrigin,
  ): Promise<RoleView> {
    if (!ROLE_NAME.test(role))
      throw new InvalidInputError(
        "role_name_invalid",
        "role names are 2-50 lower-case letters, digits or _",
        {
          details: { field: "role" },
        },
      );
    // The owner role is what lets an organization recover from any other misconfiguration.
    if (role === "owner")
      throw new PlatformError("forbidden", "role_reserved", "the owner role cannot be redefined");
    if (!Array.isArray(input.permissions) || !input.permissions.every((p) => typeof p === "string"))
      throw new InvalidInputError(
        "permissions_invalid",
        "permissions must be a list of resource.action strings",
        {
          details: { field: "permissions" },
        },
      );
    const permissions = [...new Set(input.permissions as string[])];
    try {
      assertValidGrants(permissions);
    } catch (error) {
      throw new InvalidInputError("permissions_invalid", (error as Error).message, {
        details: { field: "permissions" },
      });
    }
    // Redefining a role hands its permissions to everyone who holds it: only within the definer's own.
    assertMayGrant(principal, permissions, `the role ${role}`);
    const description = typeof input.description === "string" ? input.description.slice(0, 500) : null;
    await this.db.$transaction(async (tx) => {
      await tx.roleDefinition.upsert({
        where: { accountId_role: { accountId, role } },
        create: { accountId, role, permissions, description },
        update: { permissions, description },
      });
      await appendEvents(
        this.store,
        tx,
        { type: "role", id: `role:${accountId}:${role}`, tenantId: accountId },
        [
          {
            type: IdentityEvent.RoleDefined,
            data: {
              account_id: accountId,
              role,
              permissions,
              description,
              occurred_at: this.clock.now().getTime(),
              actor: origin.actor,
            },
          },
        ],
        origin.actor,
      );
      // People's tokens read role definitions when verified; their API keys' tokens carry grants fixed
      // at exchange, so those of everyone holding the role are exchanged again.
      const holders = await tx.accountAccess.findMany({
        where: { accountId, role },
        select: { userId: true },
      });
      for (const { userId } of holders)
        await this.credentials.narrowKeysOf(tx, userId, accountId, "role_redefined", origin.actor);
    });
    this.catalog.define(accountId, role, permissions);
    return { role, permissions, description, custom: true };
  }

  async list(accountId: string): Promise<RoleView[]> {
    const custom = await this.db.roleDefinition.findMany({ where: { accountId }, orderBy: { role: "asc" } });
    const defaults = Object.keys(DEFAULT_ROLES)
      .filter((role) => !custom.some((c) => c.role === role))
      .map((role) => ({
        role,
        permissions: this.catalog.permissionsOf(null, role),
        description: "platform default",
        custom: false,
      }));
    return [
      ...defaults,
      ...custom.map((c) => ({
        role: c.role,
        permissions: c.permissions,
        description: c.description,
        custom: true,
      })),
    ];
  }
}

function samePermissions(published: unknown, current: readonly string[]): boolean {
  if (!Array.isArray(published) || published.length !== current.length) return false;
  const set = new Set(published);
  return current.every((permission) => set.has(permission));
}
