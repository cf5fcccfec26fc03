/** A billing period of one organization as usage counts it: [start, end), with the plan's limits. */
export interface Period {
  accountId: string;
  subscriptionId: string;
  planId: string;
  start: number;
  end: number;
  /** Limit by metric; -1 means unlimited. */
  limits: Record<string, number>;
}

/** A closed period: its bounds and where the usage count stood when it closed (per "<topic>:<partition>"). */
export interface ClosedPeriodMark {
  start: number;
  end: number;
  appliedOffsets: Record<string, number>;
}

export type PeriodStatus = "open" | "grace" | "closed";

/** Open until its end, then in grace (late events still counted) until end + grace, then closing or closed. */
export function periodStatus(
  period: { end: number },
  now: number,
  graceMs: number,
  closed: boolean,
): PeriodStatus {
  if (closed || now >= period.end + graceMs) return "closed";
  return now >= period.end ? "grace" : "open";
}

/**
 * Whether an event is counted, given the periods already closed: not when its time falls in a closed
 * period and it reached the usage count at or after the count's position when that period closed.
 * The position (topic, partition, offset) is the record's place in usage.ingest, the same live and in a
 * rebuild, so a replay counts exactly what the live run counted.
 */
export function countedAfterClose(
  closed: readonly ClosedPeriodMark[],
  event: { occurredAt: number; topic: string; partition: number; offset: number },
): boolean {
  const period = closed.find((p) => event.occurredAt >= p.start && event.occurredAt < p.end);
  if (!period) return true;
  const mark = period.appliedOffsets[`${event.topic}:${event.partition}`] ?? 0;
  return event.offset < mark;
}

/** The closed period an event's time falls in, if any (the HTTP edge's early refusal). */
export function closedPeriodAt<P extends { start: number; end: number }>(
  closed: readonly P[],
  time: number,
): P | undefined {
  return closed.find((p) => time >= p.start && time < p.end);
}

/** The percentage of a limit used, or null when there is no limit (-1 or no entry). */
export function percentageOf(value: number, limit: number | null): number | null {
  if (limit === null || limit < 0) return null;
  if (limit === 0) return value > 0 ? 100 : 0;
  return Math.round((value / limit) * 10_000) / 100;
}
