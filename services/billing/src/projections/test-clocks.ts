import { enterTenant } from "@platform/database";
import type { InlineHandler, InlineHandlers } from "@platform/event-sourcing";
import type { Tx } from "../app/tenant";
import { testClockOfRow } from "../app/test-clock-state";
import { BillingEvent, type BillingPayloads } from "../domain/events";
import { evolveTestClock, type TestClockEvent, type TestClockHistoryEvent } from "../domain/test-clocks";

/** The test clock aggregate's inline projection: the only writer of `test_clocks` (times from the event). */
function testClockHandler<K extends TestClockEvent["type"]>(type: K): InlineHandler<Tx, BillingPayloads[K]> {
  return async (tx, event) => {
    if (!event.tenantId) throw new Error(`${event.type} ${event.eventId} names no tenant`);
    await enterTenant(tx, event.tenantId);
    const row = await tx.testClock.findUnique({ where: { id: event.aggregateId } });
    const history = { type, data: event.data, version: event.version, occurredAt: event.occurredAt };
    const next = evolveTestClock(row ? testClockOfRow(row) : null, history as TestClockHistoryEvent);
    if (row) await tx.testClock.update({ where: { id: row.id }, data: next });
    else await tx.testClock.create({ data: next });
  };
}

export const testClockHandlers: InlineHandlers<Tx, BillingPayloads> = {
  [BillingEvent.TestClockCreated]: testClockHandler(BillingEvent.TestClockCreated),
  [BillingEvent.TestClockAdvanced]: testClockHandler(BillingEvent.TestClockAdvanced),
  [BillingEvent.TestClockDeleted]: testClockHandler(BillingEvent.TestClockDeleted),
};
