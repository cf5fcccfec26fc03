import { ConflictError } from "@platform/errors";
import type { FactProducer } from "@platform/messaging";
import { type LateEvents, lateAdjustment } from "../domain/adjustments";
import { VOIDED_FINGERPRINT } from "../domain/corrections";
import type { Actor } from "../domain/events";
import type { MeterCatalog } from "../domain/meters";
import { closedPeriodAt } from "../domain/periods";
import {
  fingerprintOf,
  type ReportedUsage,
  readUsageEvent,
  reportedRecord,
  UsageErrorCodes,
  type UsageProblem,
} from "../domain/usage-events";
import type { AccountTime } from "./account-time";
import type { Db } from "./tenant";

/**
 * The ingest path: usage events read and checked at the edge, then produced to usage.ingest (no write
 * to Postgres on the way in; the usage count applies them). Two refusals read the database first, as a
 * courtesy, not a guarantee: a key already counted with another body (409 `idempotency_key_reused`)
 * and a time in a closed period (409 `period_closed`). Between that read and the count another request
 * can slip in; the count is the truth (first body wins, late events are not counted), and docs/usage.md
 * says so.
 */
export class UsageIntake {
  constructor(
    private readonly db: Db,
    private readonly producer: FactProducer,
    private readonly meters: MeterCatalog,
    private readonly time: AccountTime,
    private readonly maxFutureMs: number,
    /** `adjust`: events of closed periods go to the count, which turns them into UsageAdjusted. */
    private readonly lateEvents: LateEvents = "refuse",
  ) {}

  /**
   * The organization's now for reading its events (`now` below): the wall clock, or its test clock's time
   * (docs/usage.md, "Test clocks"), which a missing timestamp defaults to and the future limit counts from.
   */
  now(accountId: string): Promise<number> {
    return this.time.now(accountId);
  }

  /** Reads one event in plain or CloudEvents form; problems carry their field and stable code. */
  read(input: unknown, now: number): ReturnType<typeof readUsageEvent> {
    return readUsageEvent(input, { meters: this.meters, now, maxFutureMs: this.maxFutureMs });
  }

  /**
   * Takes a batch of accepted events over for the organization: refuses it whole on a reused key or a
   * closed period, skips the repeats already counted (success, nothing changes), and resolves once the
   * broker acknowledged the rest. Returns how many were new to the edge.
   */
  async accept(accountId: string, usages: readonly ReportedUsage[], actor: Actor): Promise<number> {
    const fresh = new Map<string, { usage: ReportedUsage; fingerprint: string }>();
    const conflicts: UsageProblem[] = [];
    usages.forEach((usage, index) => {
      const fingerprint = fingerprintOf(usage);
      const earlier = fresh.get(usage.idempotencyKey);
      if (earlier && earlier.fingerprint !== fingerprint) conflicts.push(reused(index));
      else if (!earlier) fresh.set(usage.idempotencyKey, { usage, fingerprint });
    });
    if (conflicts.length > 0) throw conflict(UsageErrorCodes.idempotencyKeyReused, conflicts);

    const earliest = Math.min(...usages.map((usage) => usage.occurredAt));
    // One statement, one round trip, no transaction held: the function enters the tenant itself
    // (migration 20261130180000_usage_edge_check says why).
    const rows = await this.db.$queryRawUnsafe<EdgeCheckRow[]>(
      "SELECT * FROM usage_edge_check($1, $2::text[], $3)",
      accountId,
      [...fresh.keys()],
      new Date(earliest),
    );
    const seen = rows.filter((row) => row.seen_key !== null);
    const closed = rows
      .filter((row) => row.closed_start !== null)
      .map((row) => ({
        start: (row.closed_start as Date).getTime(),
        end: (row.closed_end as Date).getTime(),
      }));
    for (const row of seen) {
      const key = row.seen_key as string;
      const incoming = fresh.get(key);
      // A voided key answers every later send as a repeat: it stays voided.
      if (
        incoming &&
        incoming.fingerprint !== row.seen_fingerprint &&
        row.seen_fingerprint !== VOIDED_FINGERPRINT
      )
        conflicts.push(reused(usages.findIndex((u) => u.idempotencyKey === key)));
      fresh.delete(key); // counted already: a repeat answers success and changes nothing
    }
    if (conflicts.length > 0) throw conflict(UsageErrorCodes.idempotencyKeyReused, conflicts);

    usages.forEach((usage, index) => {
      const period =
        fresh.has(usage.idempotencyKey) &&
        (this.lateEvents === "refuse" ||
          lateAdjustment(this.meters.meter(usage.metric), usage.quantity) === undefined)
          ? closedPeriodAt(closed, usage.occurredAt)
          : undefined;
      if (period)
        conflicts.push({
          path: `${index}.timestamp`,
          code: UsageErrorCodes.periodClosed,
          message: `the period ${new Date(period.start).toISOString()} – ${new Date(period.end).toISOString()} is closed`,
        });
    });
    if (conflicts.length > 0) throw conflict(UsageErrorCodes.periodClosed, conflicts);

    const records = [...fresh.values()].map(({ usage }) => reportedRecord(accountId, usage, actor));
    await this.producer.send(records);
    return records.length;
  }
}

/** A row of usage_edge_check: a key already counted, or a closed period. */
interface EdgeCheckRow {
  seen_key: string | null;
  seen_fingerprint: string | null;
  closed_start: Date | null;
  closed_end: Date | null;
}

function reused(index: number): UsageProblem {
  return {
    path: `${index}.idempotency_key`,
    code: UsageErrorCodes.idempotencyKeyReused,
    message: "this idempotency key was used for an event with another metric, quantity or dimensions",
  };
}

function conflict(code: string, errors: UsageProblem[]): ConflictError {
  const what =
    code === UsageErrorCodes.periodClosed
      ? "an event's time falls in a closed usage period"
      : "an idempotency key was already used with another body";
  return new ConflictError(code, `${what}; nothing was accepted`, { details: { errors } });
}
