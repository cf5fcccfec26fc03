import { IdentityEvent, type IdentityPayloads } from "@platform/contracts";
import {
  ALL_ROWS,
  type CrossTenantTable,
  enterTenant,
  lookupAcrossTenants,
  type TenantDatabase,
  type TenantSqlClient,
} from "@platform/database";
import type { AvroSerde } from "@platform/messaging";
import type { Logger } from "@platform/observability";
import type { Kafka } from "kafkajs";
import { KeyRing } from "./keys";
import { RevocationFeed } from "./revocation-feed";
import { RevocationSet } from "./revocations";
import { RoleCatalog } from "./roles";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "./tokens";
import { TokenVerifier } from "./verifier";

/**
 * Where platform-wide role definitions (account_id null in RoleDefined) are filed: a key of their own,
 * never "", because "" is what a pooled connection answers for app.tenant_id once an earlier transaction
 * set it, so rows filed under "" would be visible with no tenant set.
 */
export const PLATFORM_ROLES = "platform";

/**
 * The two tables a service that verifies identity's tokens keeps (trusted_keys, role_definitions), as
 * its generated Prisma client names them: typed by shape, so the kit needs no service's client.
 */
export interface TrustedAccessTables extends TenantSqlClient {
  trustedKey: {
    upsert(args: {
      where: { kid: string };
      create: { kid: string; jwk: object; notBefore: Date };
      update: { jwk: object; notBefore: Date };
    }): Promise<unknown>;
    updateMany(args: { where: { kid: string }; data: { retiredAt: Date } }): Promise<unknown>;
    findMany(args: {
      where: { retiredAt: null };
    }): Promise<Array<{ kid: string; jwk: unknown; notBefore: Date | null }>>;
  };
  roleDefinition: {
    upsert(args: {
      where: { accountId_role: { accountId: string; role: string } };
      create: { accountId: string; role: string; permissions: string[] };
      update: { permissions: string[] };
    }): Promise<unknown>;
    findMany(): Promise<Array<{ accountId: string; role: string; permissions: string[] }>>;
  };
}

/**
 * The role_definitions table of `trustedAccessHandlers`, declared cross-tenant: every service that
 * verifies identity's tokens puts this entry in its CROSS_TENANT instead of writing its own.
 */
export const ROLE_DEFINITIONS_TABLE = {
  table: "role_definitions",
  lookupBy: null,
  reason:
    "identity's role catalog (each organization's roles and the platform's, account_id 'platform'): the token " +
    "verifier needs all of it at start, before any request names a tenant",
} as const satisfies CrossTenantTable;

/** The same tables, as a rebuild empties them (`resetTrustedAccess`). */
export interface ResettableTrustedAccessTables extends TrustedAccessTables {
  trustedKey: TrustedAccessTables["trustedKey"] & { deleteMany(): Promise<unknown> };
  roleDefinition: TrustedAccessTables["roleDefinition"] & {
    deleteMany(args: { where: { accountId: string } }): Promise<unknown>;
  };
}

/**
 * Empties what `trustedAccessHandlers` wrote, for a rebuild of the read models: every trusted key, and
 * every organization's role definitions (found through the service's declared cross-tenant lookup,
 * then deleted inside each tenant, since row-level security refuses anything else).
 */
export async function resetTrustedAccess<Tx extends ResettableTrustedAccessTables>(
  tx: Tx,
  roleDefinitions: CrossTenantTable,
): Promise<void> {
  const rows = await lookupAcrossTenants(tx, roleDefinitions, ALL_ROWS, () => tx.roleDefinition.findMany());
  for (const accountId of new Set(rows.map((row) => row.accountId))) {
    await enterTenant(tx, accountId);
    await tx.roleDefinition.deleteMany({ where: { accountId } });
  }
  await tx.trustedKey.deleteMany();
}

/** The part of a projected event these handlers read (the event-sourcing kit's ProjectedEvent has it). */
type Projected<Type extends keyof IdentityPayloads> = { data: IdentityPayloads[Type]; occurredAt: Date };

/**
 * identity's public signing keys and role definitions, projected into the service's own tables so that
 * a restart trusts the same keys and knows the same roles before reading on. Each handler validates
 * first (the ring or the catalog refuses), so what the verifier would refuse is dead-lettered, never kept.
 * A service registers them through its `handlersFor<IdentityPayloads>()`, which checks their types.
 */
export function trustedAccessHandlers<Tx extends TrustedAccessTables>(keyRing: KeyRing, roles: RoleCatalog) {
  return {
    [IdentityEvent.SigningKeyPublished]: async (
      tx: Tx,
      event: Projected<typeof IdentityEvent.SigningKeyPublished>,
    ) => {
      const { data } = event;
      const kid = data.key_id;
      const jwk: object = JSON.parse(data.public_key_jwk);
      const notBefore = new Date(data.not_before);
      keyRing.applySigningKeyEvent("SigningKeyPublished", data);
      await tx.trustedKey.upsert({
        where: { kid },
        create: { kid, jwk, notBefore },
        update: { jwk, notBefore },
      });
    },
    [IdentityEvent.SigningKeyRetired]: async (
      tx: Tx,
      event: Projected<typeof IdentityEvent.SigningKeyRetired>,
    ) => {
      const { data } = event;
      await tx.trustedKey.updateMany({
        where: { kid: data.key_id },
        // The event's time, not the apply's: a replay must write what the live run wrote.
        data: { retiredAt: event.occurredAt },
      });
      keyRing.applySigningKeyEvent("SigningKeyRetired", data);
    },
    // A role may only be given by someone who holds all of it, so the service must know what each holds.
    [IdentityEvent.RoleDefined]: async (tx: Tx, event: Projected<typeof IdentityEvent.RoleDefined>) => {
      const { data } = event;
      roles.apply(data);
      const key = { accountId: data.account_id ?? PLATFORM_ROLES, role: data.role };
      await enterTenant(tx, key.accountId);
      await tx.roleDefinition.upsert({
        where: { accountId_role: key },
        create: { ...key, permissions: [...data.permissions] },
        update: { permissions: [...data.permissions] },
      });
    },
  };
}

export interface AccessControlOptions<Tx extends TrustedAccessTables> {
  /** The service's runtime (createServiceRuntime): its Kafka, registry, logger, and database. */
  runtime: {
    kafka: Kafka;
    serde: AvroSerde;
    logger: Logger;
    /** Where `trustedAccessHandlers` stored what identity published. */
    db: TenantDatabase<Tx> & Pick<TrustedAccessTables, "trustedKey">;
  };
  config: {
    /** identity's domain log (identity.events), where AccessRevoked comes from. */
    IDENTITY_EVENTS_TOPIC: string;
    /** Each instance follows revocations in a consumer group of its own, named after the service. */
    SERVICE_NAME: string;
    /** How long a revocation matters: the longest-lived token's lifetime. */
    REVOCATION_WINDOW_SECONDS: number;
  };
  clock: { now(): Date };
  /** role_definitions as the service declared it read across tenants (read whole at start). */
  roleDefinitions: CrossTenantTable;
}

/** What verifies identity's tokens in a service other than identity, kept current by identity's events. */
export interface AccessControl {
  readonly keyRing: KeyRing;
  readonly roles: RoleCatalog;
  /** identity's revocations (signed-out sessions, revoked keys, removed members), kept current by the feed. */
  readonly revocations: RevocationSet;
  readonly verifier: TokenVerifier;
  /**
   * Trusts the keys and roles already stored, and reads the window's revocations before it returns, so
   * no revoked token is served after a restart.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAccessControl<Tx extends TrustedAccessTables>(
  options: AccessControlOptions<Tx>,
): AccessControl {
  const { runtime, config, clock } = options;
  const { db } = runtime;
  const now = () => clock.now();
  const keyRing = new KeyRing();
  const roles = new RoleCatalog();
  const revocations = new RevocationSet(config.REVOCATION_WINDOW_SECONDS);
  const feed = new RevocationFeed({
    kafka: runtime.kafka,
    serde: runtime.serde,
    topic: config.IDENTITY_EVENTS_TOPIC,
    revocations,
    name: config.SERVICE_NAME,
    logger: runtime.logger,
    now,
  });
  const verifier = new TokenVerifier(keyRing, roles, {
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    now,
    revocations,
  });
  return {
    keyRing,
    roles,
    revocations,
    verifier,
    async start() {
      for (const key of await db.trustedKey.findMany({ where: { retiredAt: null } }))
        keyRing.addJwk(key.kid, key.jwk as Record<string, unknown>, key.notBefore);
      const stored = await db.$transaction((tx) =>
        lookupAcrossTenants(tx, options.roleDefinitions, ALL_ROWS, () => tx.roleDefinition.findMany()),
      );
      for (const row of stored)
        roles.define(row.accountId === PLATFORM_ROLES ? null : row.accountId, row.role, row.permissions);
      await feed.start();
    },
    stop: () => feed.stop(),
  };
}
