import { DEFAULT_ROLES, type Principal, type RoleCatalog } from "@platform/auth";
import { ConcurrencyConflictError } from "@platform/errors";
import type { EventStore } from "@platform/event-sourcing";
import { IdentityEvent, SYSTEM_ACTOR } from "../domain/events";
import { decideRoleDefinition, roleAggregateId } from "../domain/roles";
import { holdersOf } from "./access";
import { appendEvents, type Clock, type Db, type RequestOrigin } from "./context";
import type { Credentials } from "./credentials";

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
      const aggregateId = roleAggregateId(null, role);
      try {
        await this.db.$transaction(async (tx) => {
          // The default's state is its log: its last RoleDefined, and the version to append after.
          const last = (await this.store.load(tx, aggregateId)).at(-1);
          if (samePermissions(last?.data.permissions, permissions)) return;
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
            last?.version ?? 0,
          );
        });
      } catch (error) {
        // Another instance starting at the same moment published the same default first.
        if (!(error instanceof ConcurrencyConflictError)) throw error;
      }
    }
  }

  /**
   * Defines (or redefines) an organization's role: reads the role's state, decides, and appends
   * RoleDefined at the version decided on; role_definitions is written by its inline handler. Two
   * concurrent definitions of one role: one succeeds, the other is 409 `concurrency_conflict`.
   */
  async define(
    accountId: string,
    role: string,
    input: { permissions: unknown; description?: unknown },
    principal: Principal,
    origin: RequestOrigin,
  ): Promise<RoleView> {
    const command = { accountId, role, ...input, principal };
    // The rules first, so a refused definition reads nothing.
    decideRoleDefinition(null, command);
    const decided = await this.db.$transaction(async (tx) => {
      const state = await tx.roleDefinition.findUnique({
        where: { accountId_role: { accountId, role } },
        select: { version: true },
      });
      const { expectedVersion, event } = decideRoleDefinition(state, command);
      await appendEvents(
        this.store,
        tx,
        { type: "role", id: roleAggregateId(accountId, role), tenantId: accountId },
        [
          {
            type: IdentityEvent.RoleDefined,
            data: { ...event, occurred_at: this.clock.now().getTime(), actor: origin.actor },
          },
        ],
        origin.actor,
        expectedVersion,
      );
      // People's tokens read role definitions when verified; their API keys' tokens carry grants fixed
      // at exchange, so those of everyone holding the role are exchanged again.
      for (const userId of await holdersOf(tx, accountId, role))
        await this.credentials.narrowKeysOf(tx, userId, accountId, "role_redefined", origin.actor);
      return event;
    });
    this.catalog.define(accountId, role, decided.permissions);
    return { role, permissions: decided.permissions, description: decided.description, custom: true };
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
