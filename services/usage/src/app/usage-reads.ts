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
    const params: unknown[] = [accountId, start, end, fromHour, toHour];
    const param = (value: unknown) => `$${params.push(value)}`;
    // Every meter the rollup does not answer is one scalar row of the same statement: the count reads
    // totals after each run for each organization it touched, so round trips here are per run.
    const others = this.meters.meters.flatMap((meter) => {
      const value = this.scalar(meter, param);
      return value === undefined ? [] : [`SELECT ${param(meter.metric)}, NULL, NULL, NULL, (${value})::text`];
    });
    const rows = await tx.$queryRawUnsafe<
      { metric: string; sum: string | null; count: string | null; max: string | null; value: string | null }[]
    >(
      `SELECT metric, sum(s)::text AS sum, sum(c)::text AS count, max(m)::text AS max, NULL::text AS value
         FROM (
           SELECT metric, sum AS s, count AS c, max AS m FROM usage_hourly
            WHERE account_id = $1 AND hour >= $4 AND hour < $5
           UNION ALL
           SELECT metric, quantity, 1, quantity FROM usage_events
            WHERE account_id = $1 AND counted
              AND ((occurred_at >= $2 AND occurred_at < $4) OR (occurred_at >= $5 AND occurred_at < $3))
         ) AS parts
        GROUP BY metric${others.map((sql) => `\n       UNION ALL ${sql}`).join("")}`,
      ...params,
    );
    // The rollup's rows have no value; a scalar row always has one, unless its subquery found nothing.
    const rolled = new Map(rows.filter((r) => r.value === null).map((r) => [r.metric, r]));
    const scalars = new Map(rows.filter((r) => r.value !== null).map((r) => [r.metric, r.value]));
    const totals: Record<string, number> = {};
    for (const meter of this.meters.meters) {
      const row = rolled.get(meter.metric);
      const value =
        meter.source !== undefined || meter.aggregation === "LATEST" || meter.aggregation === "UNIQUE_COUNT"
          ? scalars.get(meter.metric)
          : meter.aggregation === "SUM"
            ? row?.sum
            : meter.aggregation === "COUNT"
              ? row?.count
              : row?.max;
      totals[meter.metric] = Number(value ?? 0);
    }
    return totals;
  }

  /** The subquery giving a meter's value when the rollup does not (gauges, LATEST, UNIQUE_COUNT); `param` binds a value. */
  private scalar(meter: Meter, param: (value: unknown) => string): string | undefined {
    switch (meter.source) {
      case "tenancy_members":
        return "SELECT count(DISTINCT user_id) FROM members WHERE account_id = $1";
      case "tenancy_projects":
        return "SELECT count(*) FROM projects WHERE account_id = $1";
    }
    switch (meter.aggregation) {
      case "SUM":
      case "COUNT":
      case "MAX":
        return undefined;
      case "LATEST":
        // A gauge: the last value reported before the window's end, even if reported in an earlier period.
        return `SELECT quantity FROM usage_events
                 WHERE account_id = $1 AND metric = ${param(meter.metric)} AND counted AND occurred_at < $3
                 ORDER BY occurred_at DESC, idempotency_key DESC LIMIT 1`;
      case "UNIQUE_COUNT":
        return `SELECT count(DISTINCT dimensions ->> ${param(meter.value_dimension)}) FROM usage_events
                 WHERE account_id = $1 AND metric = ${param(meter.metric)} AND counted
                   AND occurred_at >= $2 AND occurred_at < $3`;
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
