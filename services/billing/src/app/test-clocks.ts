import { randomBytes } from "node:crypto";
import { inTenant } from "@platform/database";
import { ConcurrencyConflictError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
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
 */
export interface ClockedWork {
  /**
   * When something is next due for the organization, or null, read in the caller's tenant transaction:
   * a clock asks every kind of work at each step, and one transaction for all of them halves the step's
   * round trips (the bench's advance is bound by per-query cost, docs/benchmarks.md).
   */
  nextDueIn(tx: Tx, accountId: string): Promise<Date | null>;
  /** Runs everything due for the organization at `at`; returns how many steps it took (0: stuck). */
  runDueFor(accountId: string, at: Date): Promise<number>;
}

/** The subscription's scheduled steps, at its `next_due_at`. */
export function subscriptionWork(subscriptions: SubscriptionService): ClockedWork {
  return {
    async nextDueIn(tx, accountId) {
      const row = await tx.subscription.findUnique({ where: { accountId }, select: { nextDueAt: true } });
      return row?.nextDueAt ?? null;
    },
    runDueFor: (accountId, at) => subscriptions.runDueFor(accountId, at),
  };
}

/** A clock never runs away: this many steps in one advance is a bug in a due rule, not a busy year. */
const MAX_STEPS_PER_ADVANCE = 10_000;
/** A step that lost a race with a user's command on the same subscription is tried again this often. */
const STEP_ATTEMPTS = 3;

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
    return (await this.nextDue(accountId, testClock.id, testClock.frozenTime)) !== null;
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

  /** Runs the attached subscriptions' due work, earliest first, until nothing is due at or before `until`. */
  private async runUntil(accountId: string, testClockId: string, until: Date): Promise<number> {
    let steps = 0;
    const stuck = new Set<ClockedWork>();
    for (let i = 0; i < MAX_STEPS_PER_ADVANCE; i++) {
      const next = await this.nextDue(accountId, testClockId, until, stuck);
      if (!next) return steps;
      const taken = await this.step(next.work, accountId, next.at);
      // Due but not run (a closed organization): nothing later may run either, or time would skip it.
      if (taken === 0) stuck.add(next.work);
      steps += taken;
    }
    throw new Error(`test clock ${testClockId}: more than ${MAX_STEPS_PER_ADVANCE} steps in one advance`);
  }

  private async step(work: ClockedWork, accountId: string, at: Date): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work.runDueFor(accountId, at);
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt >= STEP_ATTEMPTS) throw error;
      }
    }
  }

  private async nextDue(
    accountId: string,
    testClockId: string,
    until: Date,
    skip: ReadonlySet<ClockedWork> = new Set(),
  ): Promise<{ work: ClockedWork; at: Date } | null> {
    return inTenant(this.db, accountId, async (tx) => {
      // Only an organization whose subscription follows this clock moves with it.
      const follows = await tx.subscription.findFirst({
        where: { accountId, testClockId },
        select: { id: true },
      });
      if (!follows) return null;
      let next: { work: ClockedWork; at: Date } | null = null;
      for (const work of this.work) {
        if (skip.has(work)) continue;
        const at = await work.nextDueIn(tx, accountId);
        if (at && at <= until && (!next || at < next.at)) next = { work, at };
      }
      return next;
    });
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
    const events = decideTestClock(state, command, now);
    await this.store.append(tx, {
      aggregate: { type: "test_clock", id: testClockId, tenantId: accountId },
      expectedVersion,
      events: events.map((event) => ({
        type: event.type,
        data: { account_id: accountId, ...event.data, occurred_at: now.getTime(), actor },
      })),
      metadata: { actor: actor.id ?? actor.type },
    });
  }

  private async require(tx: Tx, testClockId: string): Promise<TestClock> {
    const row = await tx.testClock.findUnique({ where: { id: testClockId } });
    if (!row)
      throw new NotFoundError("test_clock_not_found", `no test clock ${testClockId} in this organization`);
    return row;
  }
}
