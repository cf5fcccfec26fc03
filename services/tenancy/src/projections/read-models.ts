import type { KeyRing, RoleCatalog, RoleDefinedPayload } from "@platform/auth";
import { allTenantIds, enterTenant } from "@platform/database";
import type { ProjectionHandler } from "@platform/event-sourcing";
import type { Tx } from "../app/tenant";

type Data = Record<string, unknown>;
const str = (value: unknown) => (typeof value === "string" ? value : null);

interface PlanSnapshot {
  plan_id: string;
  interval: string;
  limits: Record<string, number>;
}

const SUPPORT_LEVELS: Record<string, string> = {
  starter: "standard",
  professional: "priority",
  enterprise: "dedicated",
};

/** Seed 000's account traits, kept per organization; the billing ones come from billing's events. */
function traitsHandlers(): Record<string, ProjectionHandler<Tx>> {
  const inAccount =
    (apply: (tx: Tx, accountId: string, data: Data) => Promise<unknown>): ProjectionHandler<Tx> =>
    async (tx, event) => {
      const data = event.data as Data;
      const accountId = str(data.account_id);
      if (!accountId) return;
      await enterTenant(tx, accountId);
      await apply(tx, accountId, data);
    };
  // Upserts throughout: whichever topic's event comes first creates the row.
  const upsert = (tx: Tx, accountId: string, values: Record<string, unknown>) =>
    tx.accountTraits.upsert({ where: { accountId }, create: { accountId, ...values }, update: values });
  const status = inAccount((tx, accountId, data) => upsert(tx, accountId, { status: String(data.status) }));
  const plan = inAccount((tx, accountId, data) => {
    const snapshot = data.plan as PlanSnapshot;
    return upsert(tx, accountId, {
      plan: snapshot.plan_id,
      seatLimit: snapshot.limits.users ?? -1,
      mrrCents: BigInt(Number(data.mrr_cents ?? 0)),
      billingCycle: snapshot.interval === "year" ? "annual" : "monthly",
      supportLevel: SUPPORT_LEVELS[snapshot.plan_id] ?? "standard",
    });
  });
  const users = (delta: number) =>
    inAccount((tx, accountId, data) =>
      data.group_type === "account"
        ? tx.accountTraits.upsert({
            where: { accountId },
            create: { accountId, numberOfUsers: delta },
            update: { numberOfUsers: { increment: delta } },
          })
        : Promise.resolve(),
    );
  return {
    "platform.tenancy.OrganizationCreated": inAccount((tx, accountId, data) =>
      upsert(tx, accountId, {
        name: String(data.name),
        status: String(data.status),
        createdAt: new Date(Number(data.occurred_at)),
        employeeCount: (data.number_of_employees as number | null) ?? null,
        industry: str(data.industry),
      }),
    ),
    "platform.tenancy.OrganizationUpdated": inAccount((tx, accountId, data) =>
      upsert(tx, accountId, {
        name: String(data.name),
        employeeCount: (data.number_of_employees as number | null) ?? null,
        industry: str(data.industry),
      }),
    ),
    "platform.tenancy.OrganizationOnboarded": status,
    "platform.tenancy.OrganizationActivated": status,
    "platform.tenancy.OrganizationSuspended": status,
    "platform.tenancy.OrganizationReactivated": status,
    "platform.tenancy.OrganizationClosed": status,
    "platform.tenancy.MemberAdded": users(1),
    "platform.tenancy.MemberRemoved": users(-1),
    "platform.billing.SubscriptionCreated": plan,
    "platform.billing.TrialStarted": plan,
    "platform.billing.SubscriptionUpgraded": plan,
    "platform.billing.SubscriptionDowngraded": plan,
    "platform.billing.SubscriptionRenewed": plan,
  };
}

/** People as identity announces them: the address invitations and auto-join compare with. */
function peopleHandlers(): Record<string, ProjectionHandler<Tx>> {
  const upsert: ProjectionHandler<Tx> = async (tx, event) => {
    const data = event.data as Data;
    const userId = String(data.user_id);
    const email = String(data.email).toLowerCase();
    const verified = data.email_verified === true || event.type === "platform.identity.UserProvisioned";
    await tx.person.upsert({
      where: { userId },
      create: { userId, email, emailVerifiedAt: verified ? new Date(Number(data.occurred_at)) : null },
      update: { email },
    });
  };
  return {
    "platform.identity.UserSignedUp": upsert,
    "platform.identity.UserProvisioned": upsert,
    "platform.identity.UserProfileUpdated": upsert,
    "platform.identity.UserJoined": upsert,
    "platform.identity.EmailVerified": async (tx, event) => {
      const data = event.data as Data;
      await tx.person.updateMany({
        where: { userId: String(data.user_id) },
        data: { emailVerifiedAt: new Date(Number(data.occurred_at)) },
      });
    },
  };
}

/** identity's public signing keys, kept so that a restart trusts the same keys before reading on. */
function keyHandlers(keyRing: KeyRing): Record<string, ProjectionHandler<Tx>> {
  return {
    "platform.identity.SigningKeyPublished": async (tx, event) => {
      const data = event.data as Data;
      const kid = String(data.key_id);
      const jwk = JSON.parse(String(data.public_key_jwk)) as object;
      const notBefore = new Date(Number(data.not_before));
      // Validates the key first: a key the ring refuses is dead-lettered, never stored.
      keyRing.applySigningKeyEvent("SigningKeyPublished", data);
      await tx.trustedKey.upsert({
        where: { kid },
        create: { kid, jwk, notBefore },
        update: { jwk, notBefore },
      });
    },
    "platform.identity.SigningKeyRetired": async (tx, event) => {
      const data = event.data as Data;
      await tx.trustedKey.updateMany({
        where: { kid: String(data.key_id) },
        // The event's time, not the apply's: a replay must write what the live run wrote.
        data: { retiredAt: event.occurredAt },
      });
      keyRing.applySigningKeyEvent("SigningKeyRetired", data);
    },
  };
}

/**
 * Where platform-wide role definitions (account_id null in RoleDefined) are filed: a key of their own,
 * never "", because "" is what a pooled connection answers for app.tenant_id once an earlier transaction
 * set it, so rows filed under "" would be visible with no tenant set.
 */
export const PLATFORM_ROLES = "platform";

/**
 * identity's role definitions (the defaults and each organization's own), kept so that a restart knows
 * them: a role may only be given by someone who holds all of it, so tenancy must know what it holds.
 */
function roleHandlers(roles: RoleCatalog): Record<string, ProjectionHandler<Tx>> {
  return {
    "platform.identity.RoleDefined": async (tx, event) => {
      const data = event.data as unknown as RoleDefinedPayload;
      // Validates first: a definition the catalog refuses is dead-lettered, never stored.
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

export function readModelHandlers(
  keyRing: KeyRing,
  roles: RoleCatalog,
): Record<string, ProjectionHandler<Tx>> {
  return { ...traitsHandlers(), ...peopleHandlers(), ...keyHandlers(keyRing), ...roleHandlers(roles) };
}

/** What a rebuild empties (every tenant's traits: the reset runs once per tenant it finds). */
export async function resetReadModels(tx: Tx): Promise<void> {
  for (const accountId of await allTenantIds(tx)) {
    await enterTenant(tx, accountId);
    await tx.accountTraits.deleteMany({ where: { accountId } });
  }
  await tx.person.deleteMany();
}
