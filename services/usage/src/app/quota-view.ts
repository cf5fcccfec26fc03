import { enterTenant, inTenant } from "@platform/database";
import type { Clock, ProjectionHandler } from "@platform/event-sourcing";
import type { AccountTime } from "./account-time";
import type { Db, Tx } from "./tenant";
import type { UsageReader } from "./usage-reads";

/** One organization's current period as the quota check sees it: limits from billing, totals from the count. */
export interface QuotaSnapshot {
  period: { start: number; end: number; planId: string } | null;
  /** The plan's limit by metric; -1 unlimited; a metric not named is not limited. */
  limits: Record<string, number>;
  /** Every meter's value in the period, as of the last committed run of the count that touched it. */
  totals: Record<string, number>;
  /** tenancy closed the organization (the check answers 409 organization_closed, as a write would). */
  closed: boolean;
  /**
   * The organization's attached test clock's time when read, null on the wall clock (docs/usage.md,
   * "Test clocks"): its now. A clock's time moves only with billing's events, each of which refreshes a
   * held organization, so the held time stays its now and the check needs no database to know it.
   */
  clockTime: number | null;
}

/** What the count offers the view: the period's limits and totals; the rest is the held snapshot's. */
export type QuotaUpdate = Omit<QuotaSnapshot, "closed" | "clockTime">;

/** What the count's run gives the view: a ticket before it reads totals, then the totals (QuotaView, or a thread's proxy of it). */
export type QuotaOffers = Pick<QuotaView, "begin" | "offer">;

/**
 * The view's read order, shareable between threads (64 bits over a SharedArrayBuffer, so it never
 * wraps): a count in a thread of its own takes its tickets from the same sequence as the view's reads.
 */
export function readSequence(shared = new SharedArrayBuffer(8)): BigInt64Array {
  return new BigInt64Array(shared);
}

interface Held {
  snapshot: QuotaSnapshot;
  /** Order in which the snapshot's reads began: an older read never replaces a newer one. */
  seq: number;
}

/**
 * The quota check's memory (docs/usage.md, "Quota checks"): per organization, the current period's
 * limits and every meter's total. It is written by the projectors, not by the check — the usage count
 * after each run (`refresh` in the run's transaction, for the organizations of the run) and the read-
 * model projector after each billing or tenancy event of an organization held here — and loaded from
 * the database on a miss or when the held period has ended. Values are absolute (totals read in the
 * writer's transaction), never deltas: a run that rolls back and is retried writes the same values
 * again, so the view cannot drift; it lags the committed state by at most the count's lag.
 */
export class QuotaView {
  private readonly held = new Map<string, Held>();
  private readonly loading = new Map<string, Promise<QuotaSnapshot>>();
  constructor(
    private readonly db: Db,
    private readonly reader: UsageReader,
    private readonly time: AccountTime,
    private readonly clock: Clock,
    /** The read order (readSequence), shared with the count's thread when it runs in one. */
    readonly sequence: BigInt64Array = readSequence(),
  ) {}

  /** The organization's snapshot: from memory while its period runs, else read once (concurrent misses share the read). */
  async get(accountId: string): Promise<QuotaSnapshot> {
    const held = this.held.get(accountId);
    if (held && this.current(held.snapshot)) return held.snapshot;
    let pending = this.loading.get(accountId);
    if (!pending) {
      pending = inTenant(this.db, accountId, (tx) => this.refresh(tx, accountId)).finally(() =>
        this.loading.delete(accountId),
      );
      this.loading.set(accountId, pending);
    }
    return pending;
  }

  /** The held snapshot without reading the database (the rate limiter's plan lookup on a warm path). */
  peek(accountId: string): QuotaSnapshot | undefined {
    return this.held.get(accountId)?.snapshot;
  }

  holds(accountId: string): boolean {
    return this.held.has(accountId);
  }

  /**
   * Reads the organization's current period and totals in `tx` (the tenant already entered) and holds
   * them, unless a read that began later has been held meanwhile.
   */
  async refresh(tx: Tx, accountId: string): Promise<QuotaSnapshot> {
    const seq = this.begin();
    const clockTime = await this.time.clockIn(tx, accountId);
    const now = new Date(clockTime ?? this.clock.now().getTime());
    const closed = (await tx.closedAccount.findUnique({ where: { accountId } })) !== null;
    const period = await tx.billingPeriod.findFirst({
      where: { accountId, periodStart: { lte: now }, periodEnd: { gt: now } },
      orderBy: { periodStart: "desc" },
    });
    const snapshot: QuotaSnapshot = period
      ? {
          period: {
            start: period.periodStart.getTime(),
            end: period.periodEnd.getTime(),
            planId: period.planId,
          },
          limits: period.limits as Record<string, number>,
          totals: await this.reader.totals(tx, accountId, period.periodStart, period.periodEnd),
          closed,
          clockTime,
        }
      : { period: null, limits: {}, totals: {}, closed, clockTime };
    const held = this.held.get(accountId);
    if (!held || held.seq < seq) this.held.set(accountId, { snapshot, seq });
    return this.held.get(accountId)?.snapshot ?? snapshot;
  }

  /** A ticket to take before reading what will be `offer`ed: orders the reads, not their ends. */
  begin(): number {
    return Number(Atomics.add(this.sequence, 0, 1n)) + 1;
  }

  /**
   * New totals of a period the caller read after `begin()` (the count's run), for an organization held
   * here and if the period is the current one; an organization not held is read on its first check
   * (memory holds only organizations that are checked).
   */
  offer(accountId: string, update: QuotaUpdate, seq: number): void {
    const held = this.held.get(accountId);
    if (!held || held.seq >= seq) return;
    const snapshot = { ...update, closed: held.snapshot.closed, clockTime: held.snapshot.clockTime };
    if (this.current(snapshot)) this.held.set(accountId, { snapshot, seq });
  }

  /**
   * The read models' handlers, each followed by a refresh of the organization it names if it is held
   * here — in the handler's transaction, so a plan's new limits or a new member are read as committed.
   * Also while its first read is in flight: that read may have begun before this event committed, and
   * would otherwise hold the old period until the organization's next event (for a test clock's
   * advance, nothing else would correct it); the refresh begins later, so its snapshot wins.
   */
  after(handlers: Record<string, ProjectionHandler<Tx>>): Record<string, ProjectionHandler<Tx>> {
    return Object.fromEntries(
      Object.entries(handlers).map(([type, handler]) => [
        type,
        async (tx: Tx, event: Parameters<ProjectionHandler<Tx>>[1]) => {
          await handler(tx, event);
          const accountId = (event.data as { account_id?: unknown }).account_id;
          if (typeof accountId === "string" && (this.holds(accountId) || this.loading.has(accountId))) {
            await enterTenant(tx, accountId);
            await this.refresh(tx, accountId);
          }
        },
      ]),
    );
  }

  /** Forgets everything (a rebuild replays the count from offset 0; the next check reads again). */
  clear(): void {
    this.held.clear();
  }

  /** The organization's now as the snapshot knows it: its clock's time, else the service's clock. */
  now(snapshot: QuotaSnapshot): number {
    return snapshot.clockTime ?? this.clock.now().getTime();
  }

  private current(snapshot: QuotaSnapshot): boolean {
    const now = this.now(snapshot);
    // No period: held until billing's next event for the organization refreshes it.
    return snapshot.period === null || (snapshot.period.start <= now && now < snapshot.period.end);
  }
}
