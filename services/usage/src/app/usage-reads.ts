import { inTenant } from "@platform/database";
import type { Meter, MeterCatalog } from "../domain/meters";
import { type PeriodStatus, percentageOf, periodStatus } from "../domain/periods";
import type { AccountTime } from "./account-time";
import type { Db, Tx } from "./tenant";

export interface MetricUsage {
  metric: string;
  aggregation: Meter["aggregation"];
  value: number;
  /** The plan's limit; -1 unlimited, null when the plan does not limit this meter. */
  limit: number | null;
  percentage: number | null;
}

export interface CurrentUsage {
  period: {
    start: Date;
    end: Date;
    status: PeriodStatus;
    subscriptionId: string;
    planId: string;
  } | null;
  metrics: MetricUsage[];
}

/**
 * What the meters say over a time window, computed from the counted events (and the gauges projected
 * from tenancy): the same query answers the current usage and the totals a period closes with.
 */
export class UsageReader {
  constructor(
    private readonly db: Db,
    private readonly meters: MeterCatalog,
    /** The organization's now: a clocked one's current period is the one its test clock is in. */
    private readonly time: AccountTime,
    private readonly graceMs: number,
  ) {}

  /**
   * Every meter's value over [start, end), in the tenant's transaction `tx`. SUM, COUNT and MAX come from
   * the count's hourly rollup (usage_hourly) for the window's whole UTC hours and from the counted rows
   * for its partial first and last hours only, so the cost is the window's hours, not its events — and
   * the result is exactly the aggregate of the window's rows, wherever billing puts the boundaries.
   */
  async totals(tx: Tx, accountId: string, start: Date, end: Date): Promise<Record<string, number>> {
    const [fromHour, toHour] = wholeHours(start, end);
    const sums = await tx.$queryRawUnsafe<{ metric: string; sum: string; count: string; max: string }[]>(
      `SELECT metric, sum(s)::text AS sum, sum(c)::text AS count, max(m)::text AS max
         FROM (
           SELECT metric, sum AS s, count AS c, max AS m FROM usage_hourly
            WHERE account_id = $1 AND hour >= $4 AND hour < $5
           UNION ALL
           SELECT metric, quantity, 1, quantity FROM usage_events
            WHERE account_id = $1 AND counted
              AND ((occurred_at >= $2 AND occurred_at < $4) OR (occurred_at >= $5 AND occurred_at < $3))
         ) AS parts
        GROUP BY metric`,
      accountId,
      start,
      end,
      fromHour,
      toHour,
    );
    const totals: Record<string, number> = {};
    for (const meter of this.meters.meters) {
      const row = sums.find((r) => r.metric === meter.metric);
      totals[meter.metric] = await this.value(tx, meter, accountId, start, end, row);
    }
    return totals;
  }

  private async value(
    tx: Tx,
    meter: Meter,
    accountId: string,
    start: Date,
    end: Date,
    row: { sum: string; count: string; max: string } | undefined,
  ): Promise<number> {
    switch (meter.source) {
      case "tenancy_members": {
        const [r] = await tx.$queryRawUnsafe<{ n: number }[]>(
          "SELECT count(DISTINCT user_id)::int AS n FROM members WHERE account_id = $1",
          accountId,
        );
        return r?.n ?? 0;
      }
      case "tenancy_projects":
        return tx.project.count({ where: { accountId } });
    }
    switch (meter.aggregation) {
      case "SUM":
        return Number(row?.sum ?? 0);
      case "COUNT":
        return Number(row?.count ?? 0);
      case "MAX":
        return Number(row?.max ?? 0);
      case "LATEST": {
        // A gauge: the last value reported before the window's end, even if reported in an earlier period.
        const [r] = await tx.$queryRawUnsafe<{ quantity: string }[]>(
          `SELECT quantity::text FROM usage_events
            WHERE account_id = $1 AND metric = $2 AND counted AND occurred_at < $3
            ORDER BY occurred_at DESC, idempotency_key DESC LIMIT 1`,
          accountId,
          meter.metric,
          end,
        );
        return Number(r?.quantity ?? 0);
      }
      case "UNIQUE_COUNT": {
        const [r] = await tx.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(DISTINCT dimensions ->> $4)::int AS n FROM usage_events
            WHERE account_id = $1 AND metric = $2 AND counted AND occurred_at >= $3 AND occurred_at < $5`,
          accountId,
          meter.metric,
          start,
          meter.value_dimension,
          end,
        );
        return r?.n ?? 0;
      }
    }
  }

  /** The organization's current period and every meter's value in it, with the plan's limit. */
  async current(accountId: string): Promise<CurrentUsage> {
    return inTenant(this.db, accountId, async (tx) => {
      const now = new Date(await this.time.in(tx, accountId));
      const period = await tx.billingPeriod.findFirst({
        where: { accountId, periodStart: { lte: now }, periodEnd: { gt: now } },
      });
      if (!period) return { period: null, metrics: [] };
      const closed = await tx.closedPeriod.findUnique({
        where: { accountId_periodStart: { accountId, periodStart: period.periodStart } },
      });
      const totals = await this.totals(tx, accountId, period.periodStart, period.periodEnd);
      const limits = period.limits as Record<string, number>;
      return {
        period: {
          start: period.periodStart,
          end: period.periodEnd,
          status: periodStatus(
            { end: period.periodEnd.getTime() },
            now.getTime(),
            this.graceMs,
            closed !== null,
          ),
          subscriptionId: period.subscriptionId,
          planId: period.planId,
        },
        metrics: this.meters.meters.map((meter) => {
          const value = totals[meter.metric] ?? 0;
          const limit = limits[meter.metric] ?? null;
          return {
            metric: meter.metric,
            aggregation: meter.aggregation,
            value,
            limit,
            percentage: percentageOf(value, limit),
          };
        }),
      };
    });
  }
}

const HOUR_MS = 3_600_000;

/**
 * The whole UTC hours [from, to) inside [start, end); [end, end) when there are none, so the edges
 * [start, from) and [to, end) cover the rest of the window exactly once.
 */
export function wholeHours(start: Date, end: Date): [Date, Date] {
  const from = Math.ceil(start.getTime() / HOUR_MS) * HOUR_MS;
  const to = Math.floor(end.getTime() / HOUR_MS) * HOUR_MS;
  if (from >= to) return [end, end];
  return [new Date(from), new Date(to)];
}
