import { randomBytes } from "node:crypto";
import { IdentityEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { type ServiceHarness, startServiceHarness } from "@platform/service-harness";
import { waitFor } from "@platform/testkit";
import { loadTenancyConfig } from "../../src/config";
import { projectedSchemas, SYSTEM_ACTOR } from "../../src/domain/events";
import { tenancyRoutes } from "../../src/http/routes";
import { MIGRATIONS_DIR, TenancyService, type TenancyServiceOptions } from "../../src/service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../../src/tables";

export interface Harness
  extends ServiceHarness<TenancyService, "tenancy" | "identity" | "billing", TenancyServiceOptions> {
  /** Plays identity: a person signs up (and tenancy learns their address). */
  person(options?: { verified?: boolean }): Promise<{ userId: string; email: string }>;
  /** An access token as identity signs it, for a person acting in an organization with a role. */
  token(userId: string, accountId?: string, role?: string): Promise<string>;
  /** An organization with an owner whose token acts in it. */
  organization(
    name?: string,
  ): Promise<{ accountId: string; owner: { userId: string; email: string; token: string } }>;
  /**
   * A new person who joins the organization the legitimate way: invited with a role, then accepting
   * (identity's UserJoined), as a person clicking the link would.
   */
  member(
    organization: { accountId: string; owner: { token: string } },
    role?: string,
  ): Promise<{ userId: string; email: string }>;
}

/**
 * One tenancy service per test file as it runs in production: its own database (non-superuser role,
 * row-level security in force), real topics of its own and the real registry, HTTP on a random port.
 * The test plays identity and billing on their topics.
 */
export async function startTenancy(
  overrides: Record<string, string> = {},
  options: TenancyServiceOptions = {},
): Promise<Harness> {
  const kit = await startServiceHarness({
    name: "tenancy",
    migrationsDir: MIGRATIONS_DIR,
    topics: { tenancy: "tenancy.events", identity: "identity.events", billing: "billing.events" },
    env: {
      TENANCY_PUBLIC_URL: "http://app.test",
      IDENTITY_PUBLIC_URL: "http://identity.test",
      // Tests sweep SLAs themselves, with the clock where they moved it.
      SLA_SWEEP_SECONDS: "86400",
    },
    overrides,
    create: (env, clock, serviceOptions) => new TenancyService(loadTenancyConfig(env), clock, serviceOptions),
    options,
    http: (service) => ({ routes: tenancyRoutes(service) }),
    events: {
      schemas: projectedSchemas,
      actor: SYSTEM_ACTOR,
    },
    keyRing: (service) => service.access.keyRing,
    rebuildProof: { classes: TABLE_CLASSES, unreplayedColumns: UNREPLAYED_COLUMNS },
  });
  const harness: Harness = Object.assign(kit, {
    async person(options: { verified?: boolean } = {}) {
      const userId = `usr_${randomBytes(8).toString("hex")}`;
      const email = `${userId}@example.com`;
      await kit.publish("identity", IdentityEvent.UserSignedUp, userId, {
        account_id: null,
        user_id: userId,
        email,
        given_name: null,
        family_name: null,
        display_name: null,
        signup_source: "web",
        email_verified: options.verified ?? false,
      });
      await waitFor(
        () => kit.service.db.person.findUnique({ where: { userId } }).then((p) => p ?? undefined),
        {
          what: `person ${userId}`,
        },
      );
      return { userId, email };
    },
    token: kit.userToken,
    async organization(name = "Acme") {
      const owner = await harness.person({ verified: true });
      const created = await kit.call("POST", "/v1/organizations", {
        token: await harness.token(owner.userId),
        body: { name },
      });
      if (created.status !== 201)
        throw new Error(`organization not created: ${JSON.stringify(created.body)}`);
      const accountId = created.body.account_id as string;
      return { accountId, owner: { ...owner, token: await harness.token(owner.userId, accountId, "owner") } };
    },
    async member(organization: { accountId: string; owner: { token: string } }, role = "member") {
      const { accountId, owner } = organization;
      const person = await harness.person({ verified: true });
      const invited = await kit.call("POST", `/v1/organizations/${accountId}/invitations`, {
        token: owner.token,
        body: { email: person.email, role },
      });
      if (invited.status !== 201) throw new Error(`invitation not sent: ${JSON.stringify(invited.body)}`);
      await kit.publish("identity", IdentityEvent.UserJoined, person.userId, {
        account_id: accountId,
        user_id: person.userId,
        email: person.email,
        invitation_id: invited.body.invitation_id,
        role,
        group_id: null,
      });
      await waitFor(
        () =>
          inTenant(kit.service.db, accountId, (tx) =>
            tx.membership.findUnique({
              where: { groupId_userId: { groupId: accountId, userId: person.userId } },
            }),
          ).then((m) => m ?? undefined),
        { what: `${person.userId} to join ${accountId}` },
      );
      return person;
    },
  });
  return harness;
}
