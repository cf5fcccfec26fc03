import { ALL_ROWS, enterTenant, lookupAcrossTenants } from "@platform/database";
import { ConcurrencyConflictError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { SYSTEM_ACTOR, UsageEvent } from "../domain/events";
import { PERIOD_CLOSE_LOCK } from "../projections/usage-count";
import { CROSS_TENANT, type Db, type Tx } from "./tenant";
import type { UsageReader } from "./usage-reads";

/** How far back the closer looks for periods past their grace: a period found later is left to an operator. */
const LOOKBACK_MS = 35 * 86_400_000;

export interface PeriodCloserOptions {
  graceMs: number;
  /** The usage count's consumer group and topic: where the count stands is stored with each closing. */
  countGroup: string;
  ingestTopic: string;
}

/**
 * Closes billing periods at their end plus the grace window: one UsagePeriodClosed per period, with
 * every meter's total and the plan's limits, which billing turns into overage lines. The aggregate is the
 * period (`usage_period:<account>:<start ms>`, appended at version 0), so two closers racing on one
 * period give one event and one `concurrency_conflict`, and a closed period is never closed again.
 */
export class PeriodCloser {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore<Tx>,
    private readonly reader: UsageReader,
    private readonly clock: Clock,
    private readonly options: PeriodCloserOptions,
  ) {}

  /** Closes every period past its grace; what failed is returned and tried again next run. */
  async runDue(): Promise<{ closed: number; failures: { accountId: string; error: unknown }[] }> {
    const cutoff = this.clock.now().getTime() - this.options.graceMs;
    const due = await this.db.$transaction((tx) =>
      lookupAcrossTenants(tx, CROSS_TENANT.billingPeriods, ALL_ROWS, () =>
        tx.billingPeriod.findMany({
          where: { periodEnd: { lte: new Date(cutoff), gt: new Date(cutoff - LOOKBACK_MS) } },
          select: { accountId: true, periodStart: true },
          orderBy: { periodEnd: "asc" },
        }),
      ),
    );
    let closed = 0;
    const failures: { accountId: string; error: unknown }[] = [];
    for (const { accountId, periodStart } of due) {
      try {
        if (await this.close(accountId, periodStart)) closed += 1;
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError)) failures.push({ accountId, error });
      }
    }
    return { closed, failures };
  }

  /**
   * Closes one period if it is past its grace and not closed yet. Holds the usage count's lock alone
   * while it reads the totals and the count's stored offsets, so the totals are exactly the events the
   * count applied before those offsets, and every later event of the period is late.
   */
  async close(accountId: string, periodStart: Date): Promise<boolean> {
    return this.db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock($1)", PERIOD_CLOSE_LOCK);
        await enterTenant(tx, accountId);
        const key = { accountId_periodStart: { accountId, periodStart } };
        const period = await tx.billingPeriod.findUnique({ where: key });
        if (!period) return false;
        if (period.periodEnd.getTime() + this.options.graceMs > this.clock.now().getTime()) return false;
        if (await tx.closedPeriod.findUnique({ where: key })) return false;
        const totals = await this.reader.totals(tx, accountId, period.periodStart, period.periodEnd);
        const offsets = await tx.$queryRawUnsafe<{ partition: number; next_offset: string }[]>(
          "SELECT partition, next_offset::text FROM platform_consumer_offsets WHERE consumer_group = $1 AND topic = $2",
          this.options.countGroup,
          this.options.ingestTopic,
        );
        await this.store.append(tx, {
          aggregate: {
            type: "usage_period",
            id: `usage_period:${accountId}:${periodStart.getTime()}`,
            tenantId: accountId,
          },
          expectedVersion: 0,
          events: [
            {
              type: UsageEvent.UsagePeriodClosed,
              data: {
                account_id: accountId,
                subscription_id: period.subscriptionId,
                period_start: period.periodStart.getTime(),
                period_end: period.periodEnd.getTime(),
                totals,
                limits: period.limits as Record<string, number>,
                applied_offsets: Object.fromEntries(
                  offsets.map((o) => [`${this.options.ingestTopic}:${o.partition}`, Number(o.next_offset)]),
                ),
                occurred_at: this.clock.now().getTime(),
                actor: SYSTEM_ACTOR,
              },
            },
          ],
        });
        return true;
      },
      { timeout: 30_000 },
    );
  }
}
