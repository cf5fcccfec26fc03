import type { Meter, MeterCatalog } from "./meters";

/** The stable codes of a refused usage query (400 problem+json `code`). */
export const UsageQueryErrorCodes = {
  metricRequired: "metric_required",
  unknownMetric: "unknown_metric",
  /** users and projects are gauges of tenancy's state, with no events to put in a series. */
  metricNotReportable: "metric_not_reportable",
  invalidGranularity: "invalid_granularity",
  invalidTime: "invalid_time",
  invalidRange: "invalid_range",
  rangeTooLarge: "range_too_large",
  dimensionRequired: "dimension_required",
  invalidDimension: "invalid_dimension",
} as const;

export type UsageQueryErrorCode = (typeof UsageQueryErrorCodes)[keyof typeof UsageQueryErrorCodes];

export interface UsageQueryProblem {
  code: UsageQueryErrorCode;
  /** The query parameter at fault. */
  param: string;
  message: string;
}

export const GRANULARITIES = { hour: 3_600_000, day: 86_400_000 } as const;
export type Granularity = keyof typeof GRANULARITIES;

/** Most buckets in one series: a month of hours, a year of days (a bigger range is 400 range_too_large). */
export const MAX_BUCKETS = 744;

/** What the queries default to without `from`: the last day of hours, the last 30 days. */
const DEFAULT_SPAN: Record<Granularity, number> = {
  hour: 24 * GRANULARITIES.hour,
  day: 30 * GRANULARITIES.day,
};

export interface SeriesQuery {
  meter: Meter;
  granularity: Granularity;
  /** Whole UTC buckets: `from` rounded down, `to` up, to the bucket's size. */
  from: number;
  to: number;
}

export interface BreakdownQuery {
  meter: Meter;
  dimension: string;
  /** Undefined: the current billing period (the app reads it), else the last 30 days. */
  from: number | undefined;
  to: number | undefined;
}

type Query = Record<string, unknown>;
type Read<T> = { query: T; problem?: undefined } | { query?: undefined; problem: UsageQueryProblem };

const problem = (code: UsageQueryErrorCode, param: string, message: string) => ({
  problem: { code, param, message },
});

/** `GET …/usage/series?metric=&granularity=hour|day&from=&to=` read and checked. */
export function readSeriesQuery(input: Query, meters: MeterCatalog, now: number): Read<SeriesQuery> {
  const meter = readMeter(input, meters);
  if ("problem" in meter) return meter;
  const granularity = input.granularity ?? "hour";
  if (typeof granularity !== "string" || !(granularity in GRANULARITIES))
    return problem(UsageQueryErrorCodes.invalidGranularity, "granularity", "expected hour or day");
  const size = GRANULARITIES[granularity as Granularity];
  const range = readRange(input, now, DEFAULT_SPAN[granularity as Granularity]);
  if ("problem" in range) return range;
  const from = Math.floor(range.from / size) * size;
  const to = Math.ceil(range.to / size) * size;
  if ((to - from) / size > MAX_BUCKETS)
    return problem(
      UsageQueryErrorCodes.rangeTooLarge,
      "to",
      `at most ${MAX_BUCKETS} buckets of a ${granularity}; narrow from–to or use a coarser granularity`,
    );
  return { query: { meter: meter.meter, granularity: granularity as Granularity, from, to } };
}

/** `GET …/usage/breakdown?metric=&dimension=&from=&to=` read and checked. */
export function readBreakdownQuery(input: Query, meters: MeterCatalog, now: number): Read<BreakdownQuery> {
  const meter = readMeter(input, meters);
  if ("problem" in meter) return meter;
  const { dimension } = input;
  if (dimension === undefined || dimension === "")
    return problem(
      UsageQueryErrorCodes.dimensionRequired,
      "dimension",
      "name the dimension to break down by",
    );
  if (typeof dimension !== "string" || !/^[A-Za-z0-9_.:-]{1,64}$/.test(dimension))
    return problem(
      UsageQueryErrorCodes.invalidDimension,
      "dimension",
      "expected one dimension name (letters, digits, _ . : -)",
    );
  if (input.from === undefined && input.to === undefined)
    return { query: { meter: meter.meter, dimension, from: undefined, to: undefined } };
  const range = readRange(input, now, 30 * GRANULARITIES.day);
  if ("problem" in range) return range;
  return { query: { meter: meter.meter, dimension, ...range } };
}

function readMeter(input: Query, meters: MeterCatalog): { meter: Meter } | { problem: UsageQueryProblem } {
  const { metric } = input;
  if (metric === undefined || metric === "")
    return problem(UsageQueryErrorCodes.metricRequired, "metric", "name the metric");
  const meter = typeof metric === "string" ? meters.meter(metric) : undefined;
  if (!meter) return problem(UsageQueryErrorCodes.unknownMetric, "metric", `no meter ${String(metric)}`);
  if (!meters.reportable(meter.metric))
    return problem(
      UsageQueryErrorCodes.metricNotReportable,
      "metric",
      `${meter.metric} is counted from tenancy's state, not from events`,
    );
  return { meter };
}

function readRange(
  input: Query,
  now: number,
  defaultSpan: number,
): { from: number; to: number } | { problem: UsageQueryProblem } {
  const to = input.to === undefined ? now : readTime(input.to);
  if (to === undefined)
    return problem(UsageQueryErrorCodes.invalidTime, "to", "expected an ISO 8601 time or ms since epoch");
  const from = input.from === undefined ? to - defaultSpan : readTime(input.from);
  if (from === undefined)
    return problem(UsageQueryErrorCodes.invalidTime, "from", "expected an ISO 8601 time or ms since epoch");
  if (from >= to) return problem(UsageQueryErrorCodes.invalidRange, "from", "from must be before to");
  return { from, to };
}

/** ms since epoch or ISO 8601 with a zone; anything else (or a repeated parameter) is invalid. */
function readTime(value: unknown): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
