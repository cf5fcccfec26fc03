import { inTenant } from "@platform/database";
import type { Meter } from "../domain/meters";
import { type BreakdownQuery, GRANULARITIES, type SeriesQuery } from "../domain/usage-queries";
import type { AccountTime } from "./account-time";
import type { Db } from "./tenant";

export interface SeriesPoint {
  start: Date;
  /** The meter's aggregation over the bucket; null for a LATEST meter with no value in it. */
  value: number | null;
}

export interface BreakdownRow {
  /** The dimension's value; null for the events that do not carry the dimension. */
  value: string | null;
  total: number;
}

/**
 * The meter's aggregation of one group of counted events, as SQL: the same rules as the period's
 * totals (usage-reads.ts), applied per bucket or per dimension value. LATEST is the group's last
 * value reported (by time, then key), not carried over from an earlier group.
 */
function aggregate(meter: Meter): { sql: string; params: string[] } {
  const sql = (text: string) => ({ sql: text, params: [] });
  switch (meter.aggregation) {
    case "SUM":
      return sql("sum(quantity)");
    case "COUNT":
      return sql("count(*)");
    case "MAX":
      return sql("max(quantity)");
    case "LATEST":
      return sql("(array_agg(quantity ORDER BY occurred_at DESC, idempotency_key DESC))[1]");
    case "UNIQUE_COUNT":
      // Both queries take five parameters before this one.
      return { sql: "count(DISTINCT dimensions ->> $6)", params: [meter.value_dimension as string] };
  }
}

/** Time series and dimension breakdowns of one meter, from the counted events (index account, metric, time). */
export class UsageQueries {
  constructor(
    private readonly db: Db,
    /** The organization's now: a clocked one's current period is the one its test clock is in. */
    private readonly time: AccountTime,
  ) {}

  /** One point per UTC bucket of [from, to), empty buckets included (0, or null for LATEST). */
  async series(accountId: string, query: SeriesQuery): Promise<SeriesPoint[]> {
    const seconds = GRANULARITIES[query.granularity] / 1000;
    const agg = aggregate(query.meter);
    const rows = await inTenant(this.db, accountId, (tx) =>
      tx.$queryRawUnsafe<{ start: Date; value: number | null }[]>(
        `WITH buckets AS (
           SELECT generate_series($3::timestamptz, $4::timestamptz - make_interval(secs => $5), make_interval(secs => $5)) AS start
         ), groups AS (
           SELECT to_timestamp(floor(extract(epoch FROM occurred_at) / $5) * $5) AS start,
                  ${agg.sql}::float8 AS value
             FROM usage_events
            WHERE account_id = $1 AND metric = $2 AND counted AND occurred_at >= $3 AND occurred_at < $4
            GROUP BY 1
         )
         SELECT b.start, g.value FROM buckets b LEFT JOIN groups g USING (start) ORDER BY b.start`,
        accountId,
        query.meter.metric,
        new Date(query.from),
        new Date(query.to),
        seconds,
        ...agg.params,
      ),
    );
    const empty = query.meter.aggregation === "LATEST" ? null : 0;
    return rows.map((row) => ({ start: row.start, value: row.value ?? empty }));
  }

  /**
   * The meter's aggregation per value of one dimension over [from, to) (default: the current billing
   * period, else the last 30 days), largest first.
   */
  async breakdown(
    accountId: string,
    query: BreakdownQuery,
  ): Promise<{ from: Date; to: Date; rows: BreakdownRow[] }> {
    return inTenant(this.db, accountId, async (tx) => {
      let from = query.from === undefined ? undefined : new Date(query.from);
      let to = query.to === undefined ? undefined : new Date(query.to);
      if (!from || !to) {
        const now = new Date(await this.time.in(tx, accountId));
        const period = await tx.billingPeriod.findFirst({
          where: { accountId, periodStart: { lte: now }, periodEnd: { gt: now } },
        });
        from = period?.periodStart ?? new Date(now.getTime() - 30 * GRANULARITIES.day);
        to = period?.periodEnd ?? now;
      }
      const agg = aggregate(query.meter);
      const rows = await tx.$queryRawUnsafe<BreakdownRow[]>(
        `SELECT dimensions ->> $3 AS value, ${agg.sql}::float8 AS total
           FROM usage_events
          WHERE account_id = $1 AND metric = $2 AND counted AND occurred_at >= $4 AND occurred_at < $5
          GROUP BY 1
          ORDER BY total DESC, value NULLS LAST`,
        accountId,
        query.meter.metric,
        query.dimension,
        from,
        to,
        ...agg.params,
      );
      return { from, to, rows: rows.map((row) => ({ value: row.value, total: Number(row.total) })) };
    });
  }
}
