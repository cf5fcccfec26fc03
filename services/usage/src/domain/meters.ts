import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** OpenMeter's aggregations: how a meter turns a period's events into one number. */
export const AGGREGATIONS = ["SUM", "COUNT", "MAX", "UNIQUE_COUNT", "LATEST"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Where a gauge that callers do not report comes from (tenancy's events, projected here). */
export const GAUGE_SOURCES = ["tenancy_members", "tenancy_projects"] as const;
export type GaugeSource = (typeof GAUGE_SOURCES)[number];

const meterSchema = z
  .object({
    metric: z.string().regex(/^[a-z][a-z0-9_]*$/),
    aggregation: z.enum(AGGREGATIONS),
    /** UNIQUE_COUNT only: the dimension whose distinct values are counted. */
    value_dimension: z.string().min(1).optional(),
    /** A gauge projected from another service's events; callers cannot report it. */
    source: z.enum(GAUGE_SOURCES).optional(),
    description: z.string(),
  })
  .refine((m) => (m.aggregation === "UNIQUE_COUNT") === (m.value_dimension !== undefined), {
    message: "value_dimension is required for UNIQUE_COUNT and only there",
  });

export type Meter = z.output<typeof meterSchema>;

const catalogSchema = z.object({ catalog_version: z.number().int(), meters: z.array(meterSchema).min(1) });

/** The meters, as data (catalog/meters.json): adding a meter is adding an entry, not code. */
export class MeterCatalog {
  private readonly byMetric: ReadonlyMap<string, Meter>;

  constructor(readonly meters: readonly Meter[]) {
    this.byMetric = new Map(meters.map((meter) => [meter.metric, meter]));
    if (this.byMetric.size !== meters.length) throw new Error("meters.json names a metric twice");
  }

  static parse(json: unknown): MeterCatalog {
    return new MeterCatalog(catalogSchema.parse(json).meters);
  }

  meter(metric: string): Meter | undefined {
    return this.byMetric.get(metric);
  }

  /** Meters callers report events for (not the gauges projected from tenancy). */
  reportable(metric: string): boolean {
    const meter = this.meter(metric);
    return meter !== undefined && meter.source === undefined;
  }
}

export const METERS = MeterCatalog.parse(
  JSON.parse(readFileSync(join(__dirname, "../../catalog/meters.json"), "utf8")),
);
