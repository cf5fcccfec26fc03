import { join } from "node:path";
import {
  type AccessControl,
  type AccessHandlers,
  accessReadModels,
  type ClosedAccounts,
} from "@platform/auth";
import {
  type Clock,
  createServiceRuntime,
  type EventStore,
  type Projector,
  type ProjectorOptions,
  type ServiceRuntime,
  systemClock,
} from "@platform/event-sourcing";
import { IdempotencyKeys } from "@platform/http";
import type { AvroSerde } from "@platform/messaging";
import type { Logger, LoggerOptions } from "@platform/observability";
import type { Kafka, Producer } from "kafkajs";
import { publishCatalog } from "./app/catalog";
import { CouponService } from "./app/coupons";
import { InvoiceDocuments } from "./app/invoice-documents";
import { InvoiceService } from "./app/invoices";
import { OrganizationProfiles } from "./app/organization-profiles";
import type { PaymentProvider } from "./app/payments/provider";
import { TestPaymentProvider } from "./app/payments/test-provider";
import { RevenueMetrics } from "./app/revenue";
import { SubscriptionService } from "./app/subscriptions";
import { CROSS_TENANT, type Tx } from "./app/tenant";
import { TestClockService } from "./app/test-clocks";
import type { BillingConfig } from "./config";
import { CATALOG_PLANS } from "./domain/catalog";
import { assertValidPolicy } from "./domain/dunning";
import { billingCatalog, projectedSchemas } from "./domain/events";
import { type Plan, planKey } from "./domain/plans";
import { PrismaClient } from "./generated/prisma/client";
import { inlineHandlers, resetInline } from "./projections/inline";
import { processHandlers } from "./projections/processes";
import { readModelHandlers, resetReadModels } from "./projections/read-models";

export const MIGRATIONS_DIR = join(__dirname, "../prisma/migrations");
const PRUNE_INTERVAL_SECONDS = 60 * 60;

export interface BillingServiceOptions {
  /** Where log lines go (stdout when not given). */
  logDestination?: LoggerOptions["destination"];
  /** The plan versions (catalog/plans.json when not given; tests pass a later catalog to show a new version). */
  catalog?: readonly Plan[];
  /** Who charges invoices: the built-in test provider (Stripe's test payment methods) unless given. */
  paymentProvider?: PaymentProvider;
}

/** billing's composition root: every dependency built once from the configuration. */
export class BillingService {
  readonly logger: Logger;
  readonly db: PrismaClient;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly store: EventStore<Tx>;
  /** What verifies identity's tokens (keys, roles, revocations), kept current from identity's events. */
  readonly access: AccessControl;
  readonly closedAccounts: ClosedAccounts;
  /** identity's keys and roles and tenancy's closings, projected into what `access` and `closedAccounts` read. */
  private readonly accessHandlers: AccessHandlers<Tx>;
  /** Organizations' details from tenancy's events: the customer block of their invoices. */
  readonly profiles: OrganizationProfiles;
  readonly subscriptions: SubscriptionService;
  readonly revenue: RevenueMetrics;
  readonly invoices: InvoiceService;
  /** Invoices as HTML and PDF documents, with the organization's details from tenancy's events. */
  readonly invoiceDocuments: InvoiceDocuments;
  /** Every POST's Idempotency-Key (the HTTP kit's; routeGuards applies it to each organization route). */
  readonly idempotency: IdempotencyKeys;
  /** Test clocks: always built (the scheduler must know them), served over HTTP only when BILLING_TEST_CLOCKS. */
  readonly testClocks: TestClockService;
  /** The repository's coupons and the operator's (docs/billing.md, Discounts). */
  readonly coupons: CouponService;
  private readonly runtime: ServiceRuntime<Tx, PrismaClient>;
  private readModels?: Projector<Tx>;
  private readonly catalog: readonly Plan[];

  constructor(
    readonly config: BillingConfig,
    readonly clock: Clock = systemClock,
    options: BillingServiceOptions = {},
  ) {
    const runtime = createServiceRuntime<Tx, PrismaClient>(config, {
      name: "billing",
      migrationsDir: MIGRATIONS_DIR,
      database: (adapter) => new PrismaClient({ adapter }),
      catalog: billingCatalog,
      topic: config.BILLING_EVENTS_TOPIC,
      clock,
      inline: inlineHandlers,
      resetInline,
      logDestination: options.logDestination,
    });
    this.runtime = runtime;
    ({ logger: this.logger, db: this.db, kafka: this.kafka, producer: this.producer } = runtime);
    ({ serde: this.serde, store: this.store } = runtime);
    ({
      access: this.access,
      closedAccounts: this.closedAccounts,
      handlers: this.accessHandlers,
    } = accessReadModels({ runtime, config, clock, roleDefinitions: CROSS_TENANT.roleDefinitions }));
    this.profiles = new OrganizationProfiles(this.db);
    this.catalog = options.catalog ?? CATALOG_PLANS;
    this.subscriptions = new SubscriptionService(this.db, this.store, clock, this.catalog);
    this.revenue = new RevenueMetrics(this.db, clock);
    this.invoices = new InvoiceService(
      this.db,
      this.store,
      clock,
      this.subscriptions,
      options.paymentProvider ?? new TestPaymentProvider(),
      {
        issuer: config.BILLING_INVOICE_ISSUER,
        dunning: assertValidPolicy({
          retry_after_days: config.BILLING_DUNNING_RETRY_DAYS.split(",").map(Number),
          suspend_after_days: config.BILLING_DUNNING_SUSPEND_DAYS,
        }),
        usageGraceMs: config.BILLING_USAGE_GRACE_SECONDS * 1000,
      },
    );
    this.invoiceDocuments = new InvoiceDocuments(this.invoices, this.profiles, {
      name: config.BILLING_ISSUER_NAME,
      address: config.BILLING_ISSUER_ADDRESS,
      email: config.BILLING_ISSUER_EMAIL ?? null,
      telephone: null,
      url: null,
    });
    this.idempotency = new IdempotencyKeys(this.db, { clock });
    this.testClocks = new TestClockService(this.db, this.store, clock, this.subscriptions);
    this.coupons = new CouponService(this.db, this.store, clock);
    // Invoicing's steps (finalization, charge, dunning's retries and suspension) move with the clocks too.
    this.testClocks.drive(this.invoices);
  }

  /**
   * Migrates, publishes the catalog's new plan versions (PlanPublished, once each), trusts the identity
   * keys and roles already seen, reads the window's revocations, connects the producer.
   */
  async start(): Promise<void> {
    await this.runtime.start(async () => {
      const published = await publishCatalog(this.db, this.store, this.catalog, this.clock);
      if (published.length > 0)
        this.logger.info({ plans: published.map(planKey) }, "published new plan versions");
      await this.access.start();
    });
  }

  /** The relay (event store → billing.events), the projectors, and the scheduler's timer. */
  async startWorkers(): Promise<void> {
    this.readModels = this.readModelProjector();
    const processes = this.projector(
      `${this.config.READ_MODEL_GROUP}.processes`,
      processHandlers(this.subscriptions, this.invoices, this.config.READ_MODEL_GROUP),
    );
    await this.runtime.startWorkers(this.readModels, processes);
    // Trial ends and renewals are due by the clock, not by an event: run them on a timer.
    this.runtime.every(this.config.BILLING_SCHEDULER_SECONDS, "billing scheduler", () => this.runScheduler());
    // Expired keys are free already (a request takes them over); pruning only gives the space back.
    this.runtime.every(PRUNE_INTERVAL_SECONDS, "pruning idempotency keys", () => this.idempotency.prune());
  }

  /**
   * Runs every step due at the service's clock — the subscriptions' (reminders, trial ends, renewals),
   * then the invoices' their billing moments drafted (finalization, charge, dunning's retries and
   * suspension); what failed is logged and tried again next run.
   */
  async runScheduler(): Promise<number> {
    const { steps, failures } = await this.subscriptions.runDue();
    for (const { accountId, error } of failures)
      this.logger.warn({ error, accountId }, "a due subscription step failed; retried on the next run");
    const invoicing = await this.invoices.runDue(this.clock.now());
    for (const { accountId, error } of invoicing.failures)
      this.logger.warn({ error, accountId }, "a due invoice step failed; retried on the next run");
    return steps + invoicing.steps;
  }

  private projector(name: string, handlers: ProjectorOptions<Tx>["handlers"]): Projector<Tx> {
    return this.runtime.projector({
      name,
      topics: [
        this.config.TENANCY_EVENTS_TOPIC,
        this.config.IDENTITY_EVENTS_TOPIC,
        this.config.USAGE_EVENTS_TOPIC,
      ],
      readerSchemas: projectedSchemas,
      handlers,
    });
  }

  /** Rebuilds billing's inline-projected state (subscriptions) from its own log. */
  async rebuildState(): Promise<number> {
    return this.runtime.rebuildState();
  }

  private readModelProjector(): Projector<Tx> {
    return this.projector(this.config.READ_MODEL_GROUP, readModelHandlers(this.accessHandlers));
  }

  /**
   * Everything the logs imply, rebuilt (the rebuild proof's `rebuild`, docs/architecture.md): the
   * subscriptions from platform_events, then the read models from offset 0 of their topics until
   * caught up. The trial process is not rebuilt: it appends events, and what it appended is in the log.
   */
  async rebuildAll(timeoutMs?: number): Promise<{ inlineEvents: number }> {
    const readModels = this.readModels ?? (() => this.readModelProjector());
    return this.runtime.rebuild([{ projector: readModels, reset: resetReadModels }], timeoutMs);
  }

  /** Waits until the relay has published every event and the projectors have read their topics' ends. */
  async settled(timeoutMs?: number): Promise<void> {
    await this.runtime.settled(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.runtime.stop(() => this.access.stop());
  }
}
