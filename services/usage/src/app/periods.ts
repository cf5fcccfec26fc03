import { ALL_ROWS, enterTenant, inTenant, lookupAcrossTenants } from "@platform/database";
import { ConcurrencyConflictError } from "@platform/errors";
import type { Clock, EventStore, ProjectionHandler } from "@platform/event-sourcing";
import { SYSTEM_ACTOR, UsageEvent } from "../domain/events";
import { PERIOD_CLOSE_LOCK } from "../projections/usage-count";
import type { AccountTime } from "./account-time";
import { CROSS_TENANT, type Db, type Tx } from "./tenant";
import type { UsageReader } from "./usage-reads";

/**
 * Most periods one run takes on, oldest end first: a history replayed on a new install (or a closer
 * that was down) is closed in runs of this many, not in one run of years of periods.
 */
const PER_RUN = 500;

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
    private readonly time: AccountTime,
    private readonly options: PeriodCloserOptions,
  ) {}

  /**
   * Closes every period past its grace, each by its organization's time: the wall clock's due list leaves
   * out the organizations on a test clock, whose periods are due by their clock's time instead. What
   * failed is returned and tried again next run.
   */
  async runDue(): Promise<{ closed: number; failures: { accountId: string; error: unknown }[] }> {
    const due = await this.db.$transaction(async (tx) => {
      const clocked = await this.time.clocked(tx);
      const byWallClock = this.dueBy(this.clock.now().getTime());
      const byClock = [...clocked].map(([accountId, now]) => ({ accountId, ...this.dueBy(now) }));
      return lookupAcrossTenants(tx, CROSS_TENANT.billingPeriods, ALL_ROWS, async () => [
        ...(await tx.billingPeriod.findMany({
          where: { ...byWallClock, accountId: { notIn: [...clocked.keys()] } },
          select: { accountId: true, periodStart: true },
          orderBy: { periodEnd: "asc" },
          take: PER_RUN,
        })),
        ...(byClock.length === 0
          ? []
          : await tx.billingPeriod.findMany({
              where: { OR: byClock },
              select: { accountId: true, periodStart: true },
              orderBy: { periodEnd: "asc" },
              take: PER_RUN,
            })),
      ]);
    });
    return this.closeAll(due);
  }

  /** Closes one organization's periods past its grace by its own time (after its test clock moved). */
  async runDueFor(
    accountId: string,
  ): Promise<{ closed: number; failures: { accountId: string; error: unknown }[] }> {
    const due = await inTenant(this.db, accountId, async (tx) =>
      tx.billingPeriod.findMany({
        where: { accountId, ...this.dueBy(await this.time.in(tx, accountId)) },
        select: { accountId: true, periodStart: true },
        orderBy: { periodEnd: "asc" },
      }),
    );
    return this.closeAll(due);
  }

  /**
   * Periods past their grace at `now` and not closed yet, however long ago they ended: no look-back
   * bound that a period missed for a while (the closer down, an end moved back by billing) would
   * silently fall behind.
   */
  private dueBy(now: number) {
    const cutoff = now - this.options.graceMs;
    return { closedAt: null, periodEnd: { lte: new Date(cutoff) } };
  }

  private async closeAll(due: { accountId: string; periodStart: Date }[]) {
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
        const now = await this.time.in(tx, accountId);
        if (period.periodEnd.getTime() + this.options.graceMs > now) return false;
        const closing = await tx.closedPeriod.findUnique({ where: key, select: { closedAt: true } });
        if (closing) {
          // Closed, but the row does not say so (the closing's handlers mark it; never expected): marked
          // with the closing's own time, so it is not listed again and a replay writes the same.
          await tx.billingPeriod.update({ where: key, data: { closedAt: closing.closedAt } });
          return false;
        }
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
                // A clocked organization's period closes at its clock's time, as billing's steps happen.
                occurred_at: now,
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

/**
 * Closes a clocked organization's due periods right after billing's news about it is projected (a clock
 * advanced or attached, a period started), instead of at the closer's next run: a clocked organization's
 * time moves only by billing's events, so those are the moments its periods can become due. The close
 * runs outside the projection's transaction (it takes the count's lock and appends usage's own event), a
 * moment after it; one that runs before the commit finds nothing due, and the next nudge or the timer's
 * run closes the period. Closing is idempotent, so running twice costs a read.
 */
export class ClockedCloses {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly closer: PeriodCloser,
    private readonly onFailure: (accountId: string, error: unknown) => void,
    private readonly delaysMs: readonly number[] = [100, 1_000],
  ) {}

  /** Wraps the read models' handlers: billing's events of an organization on an attached clock nudge it. */
  after(handlers: Record<string, ProjectionHandler<Tx>>): Record<string, ProjectionHandler<Tx>> {
    return Object.fromEntries(
      Object.entries(handlers).map(([type, handler]) => {
        if (!type.startsWith("platform.billing.")) return [type, handler];
        const wrapped: ProjectionHandler<Tx> = async (tx, event) => {
          await handler(tx, event);
          const accountId = (event.data as { account_id?: unknown }).account_id;
          if (typeof accountId !== "string") return;
          await enterTenant(tx, accountId);
          if (await tx.testClock.count({ where: { accountId, attached: true } })) this.nudge(accountId);
        };
        return [type, wrapped];
      }),
    );
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private nudge(accountId: string): void {
    for (const delay of this.delaysMs) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.closer
          .runDueFor(accountId)
          .then(({ failures }) => {
            for (const failure of failures) this.onFailure(failure.accountId, failure.error);
          })
          .catch((error: unknown) => this.onFailure(accountId, error));
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }
}
