import { enterTenant } from "@platform/database";
import type { BatchHandler, EventStore, InlineHandlers } from "@platform/event-sourcing";
import type { AccountTime } from "../app/account-time";
import type { QuotaOffers } from "../app/quota-view";
import type { Tx } from "../app/tenant";
import type { UsageReader } from "../app/usage-reads";
import { SYSTEM_ACTOR, UsageEvent, type UsagePayloads } from "../domain/events";

/** The percentages of a limit that raise `UsageThresholdReached`, each once per period and metric. */
export const THRESHOLDS = [80, 90, 100] as const;

/**
 * Key of the advisory lock (two-int form, its own key space) that serializes the alert check of one
 * organization: two runs counting the same organization at once (a rebalance hands its partition
 * over) would each see only their own uncommitted events and could both miss a crossing they make
 * together; the second waits for the first and reads its committed total.
 */
const ALERT_LOCK_CLASS = 7_337_002;

/**
 * Threshold alerts and the quota view's totals, after each run of the usage count, in the run's
 * transaction (docs/usage.md, "Alerts"). For every organization whose events the run added and every
 * billing period they fall in, the meters' totals are read once: they are offered to the quota view
 * (the current period's), and every threshold of a limited meter they have reached and that has no
 * `usage_alerts` row yet gets its row (INSERT … ON CONFLICT DO NOTHING: the unique (account, period,
 * metric, threshold) row is the guard) and its `UsageThresholdReached` appended to usage's own log in
 * the same transaction — committed with the totals that crossed, or not at all. A redelivered or
 * replayed run adds nothing and so checks nothing; a run that did add re-finds the rows and emits
 * nothing twice.
 *
 * A rebuild replays usage's log first (the inline `usage_alerts` rows come back from the events), then
 * the count from offset 0 with `replaying` set: it emits nothing, so the log after a rebuild is the log
 * before it (a limit lowered since would otherwise raise alerts that never fired live). A threshold
 * reached by events that arrive during the rebuild fires at the organization's next run.
 */
export class ThresholdAlerts {
  replaying = false;

  constructor(
    private readonly store: EventStore<Tx>,
    private readonly reader: UsageReader,
    private readonly view: QuotaOffers,
    /** When an alert is reached: the organization's now (a clocked one's clock time, as billing stamps its events). */
    private readonly time: AccountTime,
  ) {}

  /** The count's handler, followed by the totals, the view and the alerts of the organizations it added to. */
  after(count: BatchHandler<Tx>): BatchHandler<Tx> {
    return async (tx, events) => {
      const inserted = await count(tx, events);
      if (inserted === 0) return 0;
      const windows = new Map<string, { from: number; to: number }>();
      for (const event of events) {
        const { account_id: accountId, occurred_at: at } = event.data as {
          account_id: string;
          occurred_at: number;
        };
        const window = windows.get(accountId);
        if (window) {
          window.from = Math.min(window.from, at);
          window.to = Math.max(window.to, at);
        } else windows.set(accountId, { from: at, to: at });
      }
      // Sorted: runs that share organizations take their locks in one order (no deadlock).
      for (const accountId of [...windows.keys()].sort()) {
        const { from, to } = windows.get(accountId) as { from: number; to: number };
        await enterTenant(tx, accountId);
        await tx.$executeRawUnsafe(
          "SELECT pg_advisory_xact_lock($1, hashtext($2))",
          ALERT_LOCK_CLASS,
          accountId,
        );
        await this.check(tx, accountId, from, to);
      }
      return inserted;
    };
  }

  private async check(tx: Tx, accountId: string, from: number, to: number): Promise<void> {
    const periods = await tx.billingPeriod.findMany({
      where: { accountId, periodStart: { lte: new Date(to) }, periodEnd: { gt: new Date(from) } },
    });
    // The organization's now, read once, and only by a run that reaches a threshold: most reach none.
    let now: Date | undefined;
    for (const period of periods) {
      const seq = this.view.begin();
      const totals = await this.reader.totals(tx, accountId, period.periodStart, period.periodEnd);
      const limits = period.limits as Record<string, number>;
      this.view.offer(
        accountId,
        {
          period: {
            start: period.periodStart.getTime(),
            end: period.periodEnd.getTime(),
            planId: period.planId,
          },
          limits,
          totals,
        },
        seq,
      );
      if (this.replaying) continue;
      for (const [metric, limit] of Object.entries(limits)) {
        const value = totals[metric];
        // -1 is unlimited; 0 allows nothing, so it has no percentages to cross.
        if (value === undefined || !(limit > 0)) continue;
        const reached = THRESHOLDS.filter((percent) => value * 100 >= limit * percent);
        if (reached.length === 0) continue;
        now ??= new Date(await this.time.in(tx, accountId));
        await this.emit(
          tx,
          accountId,
          period.periodStart,
          period.periodEnd,
          metric,
          value,
          limit,
          reached,
          now,
        );
      }
    }
  }

  private async emit(
    tx: Tx,
    accountId: string,
    start: Date,
    end: Date,
    metric: string,
    value: number,
    limit: number,
    reached: readonly number[],
    now: Date,
  ): Promise<void> {
    const fresh = await tx.$queryRawUnsafe<{ threshold_percent: number }[]>(
      `INSERT INTO usage_alerts (account_id, period_start, metric, threshold_percent, current, "limit", reached_at)
       SELECT $1, $2, $3, t, $5, $6, $7 FROM unnest($4::int[]) AS t
       ON CONFLICT DO NOTHING
       RETURNING threshold_percent`,
      accountId,
      start,
      metric,
      reached,
      BigInt(value),
      BigInt(limit),
      now,
    );
    for (const { threshold_percent: percent } of fresh.sort(
      (a, b) => a.threshold_percent - b.threshold_percent,
    )) {
      await this.store.append(tx, {
        aggregate: {
          type: "usage_threshold",
          id: `usage_threshold:${accountId}:${start.getTime()}:${metric}:${percent}`,
          tenantId: accountId,
        },
        // Version 0: a second emission of one threshold would conflict even if the row guard were bypassed.
        expectedVersion: 0,
        events: [
          {
            type: UsageEvent.UsageThresholdReached,
            data: {
              account_id: accountId,
              metric,
              threshold_percent: percent,
              current: value,
              limit,
              period_start: start.getTime(),
              period_end: end.getTime(),
              occurred_at: now.getTime(),
              actor: SYSTEM_ACTOR,
            },
          },
        ],
      });
    }
  }
}

/**
 * The inline side: `usage_alerts` rows from `UsageThresholdReached`. Live the count has just inserted
 * the row (the guard) in this transaction, so this adds nothing; in a rebuild of usage's log it is
 * what restores the rows, before the count is replayed. Every value comes from the event.
 */
export const alertInlineHandlers: InlineHandlers<Tx, UsagePayloads> = {
  [UsageEvent.UsageThresholdReached]: async (tx, event) => {
    const data = event.data;
    await enterTenant(tx, data.account_id);
    await tx.usageAlert.createMany({
      data: [
        {
          accountId: data.account_id,
          periodStart: new Date(data.period_start),
          metric: data.metric,
          thresholdPercent: data.threshold_percent,
          current: BigInt(data.current),
          limit: BigInt(data.limit),
          reachedAt: new Date(data.occurred_at),
        },
      ],
      skipDuplicates: true,
    });
  },
};
