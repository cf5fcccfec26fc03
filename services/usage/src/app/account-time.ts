import { ALL_ROWS, inTenant, lookupAcrossTenants } from "@platform/database";
import type { Clock } from "@platform/event-sourcing";
import { CROSS_TENANT, type Db, type Tx } from "./tenant";

/**
 * An organization's "now" (docs/usage.md, "Test clocks"): the service's clock, or, once billing attached
 * the organization's subscription to a test clock, that clock's time as billing's TestClockAttached and
 * TestClockAdvanced state it. Billing runs such a subscription's renewals at the clock's time and its
 * scheduler leaves it alone; usage follows the same time, so a clocked subscription's periods close when
 * the clock passes their end plus the grace, not when the wall clock does (it never would: they lie in
 * the future), and its events may be stamped up to USAGE_MAX_FUTURE_SECONDS past the clock's time.
 */
export class AccountTime {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The organization's now, in a transaction already in its scope. */
  async in(tx: Tx, accountId: string): Promise<number> {
    return (await this.clockIn(tx, accountId)) ?? this.clock.now().getTime();
  }

  /**
   * The attached clock's time, or null for an organization on the wall clock: what a reader keeps when
   * it holds the organization's now (the quota view), since a clock's time moves only with billing's events.
   */
  async clockIn(tx: Tx, accountId: string): Promise<number | null> {
    // Billing attaches at most one clock to a subscription, for good; the latest time is the safe pick.
    const clock = await tx.testClock.findFirst({
      where: { accountId, attached: true },
      orderBy: { frozenTime: "desc" },
      select: { frozenTime: true },
    });
    return clock ? clock.frozenTime.getTime() : null;
  }

  /** The organization's now, in a transaction of its own. */
  now(accountId: string): Promise<number> {
    return inTenant(this.db, accountId, (tx) => this.in(tx, accountId));
  }

  /** Every organization on an attached clock, with the clock's time (the closer's cross-tenant read). */
  async clocked(tx: Tx): Promise<Map<string, number>> {
    const rows = await lookupAcrossTenants(tx, CROSS_TENANT.testClocks, ALL_ROWS, () =>
      tx.testClock.findMany({ where: { attached: true }, select: { accountId: true, frozenTime: true } }),
    );
    const times = new Map<string, number>();
    for (const { accountId, frozenTime } of rows)
      times.set(accountId, Math.max(times.get(accountId) ?? 0, frozenTime.getTime()));
    return times;
  }
}

/**
 * Billing's clock events into `test_clocks`. Attachment (on the subscription's aggregate) and advances
 * (on the clock's) travel on different partitions, so either may be projected first: the row keeps the
 * latest time and stays attached once attached, whatever the order, and a replay changes nothing.
 */
export async function projectTestClock(
  tx: Tx,
  clock: { accountId: string; testClockId: string; frozenTime: number; attached: boolean },
): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO test_clocks (account_id, test_clock_id, frozen_time, attached) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account_id, test_clock_id) DO UPDATE SET
       frozen_time = GREATEST(test_clocks.frozen_time, EXCLUDED.frozen_time),
       attached = test_clocks.attached OR EXCLUDED.attached`,
    clock.accountId,
    clock.testClockId,
    new Date(clock.frozenTime),
    clock.attached,
  );
}
