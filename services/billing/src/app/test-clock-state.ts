import { ConflictError, NotFoundError } from "@platform/errors";
import type { Clock } from "@platform/event-sourcing";
import type { TestClockState, TestClockStatus } from "../domain/test-clocks";
import type { Subscription, TestClock } from "../generated/prisma/client";
import type { Tx } from "./tenant";

/** A test clock's state as its row holds it (the row is written by src/projections/test-clocks.ts). */
export function testClockOfRow(row: TestClock): TestClockState {
  return { ...row, status: row.status as TestClockStatus };
}

/** The organization's test clock (row-level security: another organization's is not found). */
export async function readTestClock(tx: Tx, testClockId: string): Promise<TestClockState> {
  const row = await tx.testClock.findUnique({ where: { id: testClockId } });
  if (!row)
    throw new NotFoundError("test_clock_not_found", `no test clock ${testClockId} in this organization`);
  return testClockOfRow(row);
}

/**
 * `now` for a command on the subscription: its test clock's time when it follows one, the service's
 * clock otherwise. A deleted clock's subscriptions stay frozen and take no more commands.
 */
export async function timeOf(tx: Tx, row: Pick<Subscription, "testClockId">, clock: Clock): Promise<Date> {
  if (!row.testClockId) return clock.now();
  const testClock = await readTestClock(tx, row.testClockId);
  if (testClock.status === "deleted")
    throw new ConflictError(
      "test_clock_deleted",
      `the subscription follows test clock ${testClock.id}, which was deleted: it takes no more changes`,
    );
  return testClock.frozenTime;
}
