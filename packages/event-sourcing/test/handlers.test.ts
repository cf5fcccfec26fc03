import { combineInlineHandlers, handlersFor, type ProjectedEvent, type ProjectionHandler } from "../src";

// The shape of a generated catalog's payload map (packages/contracts/src/types/<topic>/index.ts).
interface AccountOpened {
  account_id: string;
  seats: number | null;
}
interface AccountClosed {
  account_id: string;
  reason: string;
}
interface Payloads {
  "platform.test.AccountOpened": AccountOpened;
  "platform.test.AccountClosed": AccountClosed;
}

interface Tx {
  written: string[];
}

function eventOf(type: string, data: Record<string, unknown>): ProjectedEvent {
  return {
    eventId: "e1",
    type,
    aggregateId: "a1",
    version: 1,
    tenantId: undefined,
    occurredAt: new Date(0),
    data,
    topic: "test.events",
    partition: 0,
    offset: "0",
  };
}

describe("handlersFor", () => {
  it("gives each handler its own event type's payload and registers it under that type", async () => {
    const handlers: Record<string, ProjectionHandler<Tx>> = handlersFor<Payloads>()({
      "platform.test.AccountOpened": async (tx, event) => {
        const seats: number | null = event.data.seats;
        tx.written.push(`${event.data.account_id}:${seats ?? "unlimited"}`);
      },
      "platform.test.AccountClosed": async (tx, event) => {
        tx.written.push(`${event.data.account_id} closed: ${event.data.reason}`);
      },
    });
    const tx: Tx = { written: [] };
    await handlers["platform.test.AccountOpened"]?.(
      tx,
      eventOf("platform.test.AccountOpened", { account_id: "a1", seats: null }),
    );
    await handlers["platform.test.AccountClosed"]?.(
      tx,
      eventOf("platform.test.AccountClosed", { account_id: "a1", reason: "churned" }),
    );
    expect(tx.written).toEqual(["a1:unlimited", "a1 closed: churned"]);
  });

  it("refuses, at compile time, a type the map does not name and a field the payload lacks", () => {
    const handlers = handlersFor<Payloads>()<Tx>({
      // @ts-expect-error an event type the catalog does not have
      "platform.test.AccountOpend": async () => {},
      "platform.test.AccountClosed": async (_tx, event) => {
        // @ts-expect-error AccountClosed carries no seats
        expect(event.data.seats).toBeUndefined();
      },
    });
    expect(Object.keys(handlers)).toContain("platform.test.AccountClosed");
  });

  it("takes one handler for several types when it reads only what they share", () => {
    const accountOf = async (tx: Tx, event: ProjectedEvent<{ account_id: string }>) => {
      tx.written.push(event.data.account_id);
    };
    const handlers = handlersFor<Payloads>()<Tx>({
      "platform.test.AccountOpened": accountOf,
      "platform.test.AccountClosed": accountOf,
    });
    expect(Object.keys(handlers).sort()).toEqual([
      "platform.test.AccountClosed",
      "platform.test.AccountOpened",
    ]);
  });
});

describe("combineInlineHandlers", () => {
  const stored = (type: string) => ({
    position: 1n,
    eventId: "e1",
    aggregateType: "account",
    aggregateId: "a1",
    version: 1,
    type,
    tenantId: null,
    data: {} as never,
    metadata: {},
    occurredAt: new Date(0),
  });

  it("runs every set's handler for a type, in the order the sets are given, and no other", async () => {
    const state = { written: [] as string[] };
    const note = (what: string) => async () => {
      state.written.push(what);
    };
    const combined = combineInlineHandlers<Tx, Payloads>(
      { "platform.test.AccountOpened": note("row"), "platform.test.AccountClosed": note("closed") },
      { "platform.test.AccountOpened": note("ledger") },
    );
    await combined["platform.test.AccountOpened"]?.(state, stored("platform.test.AccountOpened"));
    expect(state.written).toEqual(["row", "ledger"]);
    await combined["platform.test.AccountClosed"]?.(state, stored("platform.test.AccountClosed"));
    expect(state.written).toEqual(["row", "ledger", "closed"]);
  });
});
