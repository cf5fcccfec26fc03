import { publishDomainEvent, TenancyEvent } from "@platform/contracts";
import type { LoggerOptions } from "@platform/observability";
import { type ServiceHarness, startServiceHarness } from "@platform/service-harness";
import { waitFor } from "@platform/testkit";
import { accessOf } from "../../src/app/access";
import { loadIdentityConfig } from "../../src/config";
import { identityHttp } from "../../src/http";
import { readerSchemas } from "../../src/projections/read-models";
import { IdentityService, MIGRATIONS_DIR } from "../../src/service";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../../src/tables";

export interface Harness
  extends ServiceHarness<IdentityService, "identity" | "tenancy" | "billing", IdentityHarnessOptions> {
  /** Publishes a tenancy event the way tenancy's relay does, for identity's projector to apply. */
  publishTenancyEvent(
    type: string,
    aggregateId: string,
    version: number,
    data: Record<string, unknown>,
  ): Promise<void>;
  /** Publishes a billing event the way billing's relay does (plans and their seat limits). */
  publishBillingEvent(
    type: string,
    aggregateId: string,
    version: number,
    data: Record<string, unknown>,
  ): Promise<void>;
  /** An organization member with a role, as tenancy would announce it. */
  addMember(accountId: string, userId: string, role: string): Promise<void>;
}

interface IdentityHarnessOptions {
  logDestination?: LoggerOptions["destination"];
}

/**
 * One identity service per test file, as it runs in production: its own database (as a non-superuser
 * role), real Kafka topics (unique per file) and the real registry, the HTTP API on a random port.
 */
export async function startIdentity(
  overrides: Record<string, string> = {},
  options: IdentityHarnessOptions = {},
): Promise<Harness> {
  const kit = await startServiceHarness({
    name: "identity",
    migrationsDir: MIGRATIONS_DIR,
    topics: { identity: "identity.events", tenancy: "tenancy.events", billing: "billing.events" },
    env: { IDENTITY_PUBLIC_URL: "http://identity.test" },
    overrides,
    create: (env, clock, serviceOptions) =>
      new IdentityService(loadIdentityConfig(env), clock, serviceOptions?.logDestination),
    options,
    http: identityHttp,
    events: { schemas: readerSchemas },
    rebuildProof: { classes: TABLE_CLASSES, unreplayedColumns: UNREPLAYED_COLUMNS },
  });
  // identity's tests say which version of an aggregate they publish (redeliveries, gaps).
  const publishOn =
    (topic: "tenancy" | "billing") =>
    async (type: string, aggregateId: string, version: number, data: Record<string, unknown>) => {
      const schema = readerSchemas[type];
      if (!schema) throw new Error(`unknown event type ${type}`);
      const { producer, serde, topics } = kit;
      await publishDomainEvent({
        producer,
        serde,
        topic: topics[topic],
        schema,
        type,
        aggregateId,
        version,
        data,
      });
    };

  const harness: Harness = Object.assign(kit, {
    publishTenancyEvent: publishOn("tenancy"),
    publishBillingEvent: publishOn("billing"),
    async addMember(accountId: string, userId: string, role: string) {
      await harness.publishTenancyEvent(TenancyEvent.MemberAdded, `${accountId}:${userId}`, 1, {
        account_id: accountId,
        user_id: userId,
        group_id: accountId,
        group_type: "account",
        role,
        source: "admin",
        occurred_at: Date.now(),
        actor: { type: "system", id: null, ip_address: null, user_agent: null },
      });
      await waitFor(
        () => accessOf(kit.service.db, userId, accountId).then((row) => row?.role === role || undefined),
        { what: `membership of ${userId} in ${accountId}` },
      );
    },
  });
  return harness;
}

/** The one-time link identity queued for the mailer, as the recipient would click it. */
export async function lastEmailToken(
  service: IdentityService,
  recipient: string,
  template: string,
): Promise<string> {
  const email = await service.db.outboundEmail.findFirst({
    where: { recipient, template },
    orderBy: { createdAt: "desc" },
  });
  const link = (email?.variables as { link?: string } | undefined)?.link;
  const token = link ? new URL(link).searchParams.get("token") : null;
  if (!token) throw new Error(`no ${template} e-mail to ${recipient}`);
  return token;
}
