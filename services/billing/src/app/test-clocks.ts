import { randomBytes } from "node:crypto";
import { enterTenant, inTenant } from "@platform/database";
import { ConcurrencyConflictError, NotFoundError } from "@platform/errors";
import { appendForTenant, type Clock, type EventStore } from "@platform/event-sourcing";
import type { Actor } from "../domain/events";
import { decideTestClock, type TestClockCommand, type TestClockState } from "../domain/test-clocks";
import type { TestClock } from "../generated/prisma/client";
import type { SubscriptionService } from "./subscriptions";
import type { Db, Tx } from "./tenant";
import { readTestClock } from "./test-clock-state";

/**
 * What a test clock drives, one kind of scheduled work each, for an organization following the clock:
 * the next moment something is due, and running what is due at a moment. The subscription's steps are
 * one (trial reminder and end, renewals, and whatever its nextDueAt/dueStepOf learn next); invoicing's
 * finalizations, charges, retries and suspensions are another (`TestClockService.drive`), without the
 * clock changing.
 *
 * Both run in the clock's transaction for the moment (the one that read what is due): a step's cost is
 * its round trips (the bench's advance is bound by per-query cost, docs/benchmarks.md), and a clocked
 * organization has no other writer to wait for.
 */
export interface ClockedWork {
  /** When something is next due for the organization, or null, read in the clock's tenant transaction. */
  nextDueIn(tx: Tx, accountId: string): Promise<Date | null>;
  /**
   * Runs what is due for the organization at `at` in the clock's tenant transaction. `steps: 0` and no
   * `afterCommit`: due but not run (a closed organization). Work that must leave the database (a charge
   * calls the payment provider, never inside a transaction) stops there and returns the rest as
   * `afterCommit`, which the clock runs once the moment's transaction committed, then asks the same
   * work again at the same moment before anything else.
   */
  runDueIn(tx: Tx, accountId: string, at: Date): Promise<DueRun>;
}

export interface DueRun {
  steps: number;
  /** The rest of the step, outside any transaction; resolves to the steps it took. */
  afterCommit?: () => Promise<number>;
}

/** The subscription's scheduled steps, at its `next_due_at`. */
export function subscriptionWork(subscriptions: SubscriptionService): ClockedWork {
  return {
    async nextDueIn(tx, accountId) {
      const row = await tx.subscription.findUnique({ where: { accountId }, select: { nextDueAt: true } });
      return row?.nextDueAt ?? null;
    },
    runDueIn: async (tx, accountId, at) => ({ steps: await subscriptions.runDueIn(tx, accountId, at) }),
  };
}

/** A clock never runs away: this many steps in one advance is a bug in a due rule, not a busy year. */
const MAX_STEPS_PER_ADVANCE = 10_000;
/** A step that lost a race with a user's command on the same subscription is tried again this often. */
const STEP_ATTEMPTS = 3;
/**
 * A moment can finalize an invoice, which queues at the number series' lock behind the other clocks'
 * finalizations (app/invoices.ts): it waits its turn rather than time out.
 */
const MOMENT_TX = { maxWait: 30_000, timeout: 30_000 };

interface Due {
  work: ClockedWork;
  at: Date;
}

export interface AdvanceResult {
  clock: TestClock;
  steps: number;
}

/**
 * Test clocks (docs/billing.md, Test clocks): each an aggregate owned by one organization, in
 * `test_clocks` (inline projection, rebuilt from the log like `subscriptions`). Advancing appends
 * `TestClockAdvanced` first — so no command on an attached subscription ever runs at a time before
 * the events already in its log — then runs every due step of the attached subscriptions, earliest
 * first, each at its own due moment, up to the new time. An advance interrupted half-way (a crash,
 * a lost race) is finished by the next one, which first runs what is due up to the clock's time.
 */
export class TestClockService {
  private readonly work: ClockedWork[];

  constructor(
    private readonly db: Db,
    private readonly store: EventStore<Tx>,
    private readonly clock: Clock,
    subscriptions: SubscriptionService,
  ) {
    this.work = [subscriptionWork(subscriptions)];
  }

  /** Another kind of scheduled work the clocks drive (e.g. invoicing's payment retries). */
  drive(work: ClockedWork): void {
    this.work.push(work);
  }

  async create(
    accountId: string,
    options: { name: string | null; frozenTime: Date },
    actor: Actor,
  ): Promise<TestClock> {
    const id = `clock_${randomBytes(10).toString("hex")}`;
    return inTenant(this.db, accountId, async (tx) => {
      await this.append(tx, accountId, id, 0, { kind: "create", id, ...options }, null, actor);
      return this.require(tx, id);
    });
  }

  async get(accountId: string, testClockId: string): Promise<TestClock> {
    return inTenant(this.db, accountId, (tx) => this.require(tx, testClockId));
  }

  async list(accountId: string): Promise<TestClock[]> {
    return inTenant(this.db, accountId, (tx) =>
      tx.testClock.findMany({ where: { accountId }, orderBy: { createdAt: "asc" } }),
    );
  }

  /** Whether steps due up to the clock's time are still to run (Stripe's status "advancing"). */
  async pending(accountId: string, testClock: Pick<TestClock, "id" | "frozenTime">): Promise<boolean> {
    return inTenant(this.db, accountId, async (tx) => {
      return (await this.nextDue(tx, accountId, testClock.id, testClock.frozenTime)) !== null;
    });
  }

  async advance(accountId: string, testClockId: string, to: Date, actor: Actor): Promise<AdvanceResult> {
    const before = await this.get(accountId, testClockId);
    let steps = await this.runUntil(accountId, testClockId, before.frozenTime);
    await inTenant(this.db, accountId, async (tx) => {
      const clock = await readTestClock(tx, testClockId);
      await this.append(tx, accountId, testClockId, clock.version, { kind: "advance", to }, clock, actor);
    });
    steps += await this.runUntil(accountId, testClockId, to);
    return { clock: await this.get(accountId, testClockId), steps };
  }

  async delete(accountId: string, testClockId: string, actor: Actor): Promise<TestClock> {
    return inTenant(this.db, accountId, async (tx) => {
      const clock = await readTestClock(tx, testClockId);
      await this.append(tx, accountId, testClockId, clock.version, { kind: "delete" }, clock, actor);
      return this.require(tx, testClockId);
    });
  }

  /**
   * Runs the attached subscriptions' due work, earliest first, until nothing is due at or before
   * `until`: each moment in one transaction that reads what is due and runs it.
   */
  private async runUntil(accountId: string, testClockId: string, until: Date): Promise<number> {
    let steps = 0;
    const stuck = new Set<ClockedWork>();
    // A work that stopped for its afterCommit keeps the moment until nothing more is due for it then.
    let resume: Due | null = null;
    for (let i = 0; i < MAX_STEPS_PER_ADVANCE; i++) {
      for (let attempt = 1; ; attempt++) {
        try {
          const moment = await this.moment(accountId, testClockId, until, stuck, resume);
          if (!moment) return steps;
          steps += moment.steps;
          resume = null;
          if (moment.afterCommit) {
            resume = { work: moment.work, at: moment.at };
            steps += await moment.afterCommit();
          } else if (moment.steps === 0) {
            // Due but not run (a closed organization): nothing later may run either, or time would skip it.
            stuck.add(moment.work);
          }
          break;
        } catch (error) {
          if (!(error instanceof ConcurrencyConflictError) || attempt >= STEP_ATTEMPTS) throw error;
        }
      }
    }
    throw new Error(`test clock ${testClockId}: more than ${MAX_STEPS_PER_ADVANCE} steps in one advance`);
  }

  /**
   * One moment in one tenant transaction: the work resumed at its moment if it has more due then,
   * otherwise the earliest work due at or before `until` (the first work on a tie), at its due time.
   * null: nothing is due (or the organization's subscription does not follow this clock).
   */
  private async moment(
    accountId: string,
    testClockId: string,
    until: Date,
    skip: ReadonlySet<ClockedWork>,
    resume: Due | null,
  ): Promise<(Due & DueRun) | null> {
    return this.db.$transaction(async (tx) => {
      await enterTenant(tx, accountId);
      if (resume) {
        const run = await resume.work.runDueIn(tx, accountId, resume.at);
        if (run.steps > 0 || run.afterCommit) return { ...resume, ...run };
      }
      const next = await this.nextDue(tx, accountId, testClockId, until, skip);
      return next && { ...next, ...(await next.work.runDueIn(tx, accountId, next.at)) };
    }, MOMENT_TX);
  }

  private async nextDue(
    tx: Tx,
    accountId: string,
    testClockId: string,
    until: Date,
    skip: ReadonlySet<ClockedWork> = new Set(),
  ): Promise<Due | null> {
    // Only an organization whose subscription follows this clock moves with it.
    const follows = await tx.subscription.findFirst({
      where: { accountId, testClockId },
      select: { id: true },
    });
    if (!follows) return null;
    let next: Due | null = null;
    for (const work of this.work) {
      if (skip.has(work)) continue;
      const at = await work.nextDueIn(tx, accountId);
      if (at && at <= until && (!next || at < next.at)) next = { work, at };
    }
    return next;
  }

  private async append(
    tx: Tx,
    accountId: string,
    testClockId: string,
    expectedVersion: number,
    command: TestClockCommand,
    state: TestClockState | null,
    actor: Actor,
  ): Promise<void> {
    // The clock's own events happen at the service's time; its time is their payload.
    const now = this.clock.now();
    await appendForTenant(this.store, tx, {
      aggregate: { type: "test_clock", id: testClockId, accountId },
      expectedVersion,
      events: decideTestClock(state, command, now),
      actor,
      now,
    });
  }

  private async require(tx: Tx, testClockId: string): Promise<TestClock> {
    const row = await tx.testClock.findUnique({ where: { id: testClockId } });
    if (!row)
      throw new NotFoundError("test_clock_not_found", `no test clock ${testClockId} in this organization`);
    return row;
  }
}
