/**
 * The kit's command path (issue #10 items 1, 4 and 5): the store enforces the expected version the
 * command decided on, runs the service's inline handlers in the append's transaction, rebuilds their
 * tables from the log, and stamps every event with the service's one clock.
 */
import { ConcurrencyConflictError, httpStatusOf } from "@platform/errors";
import {
  createTestDatabase,
  infrastructure,
  TestClock,
  type TestDatabase,
  uniqueName,
} from "@platform/testkit";
import { AccountOpened, Ledger, resetInline } from "./fixture/src/ledger";
import { MIGRATIONS } from "./ledger-harness";

let database: TestDatabase;
let ledger: Ledger;
let clock: TestClock;

beforeEach(async () => {
  database = await createTestDatabase({ migrationsDir: MIGRATIONS });
  const infra = infrastructure();
  clock = new TestClock();
  // Commands need no broker: nothing here connects to Kafka.
  ledger = new Ledger(
    {
      databaseUrl: database.url,
      kafkaBrokers: infra.kafkaBrokers,
      schemaRegistryUrl: infra.schemaRegistryUrl,
      topic: uniqueName("ledger.events"),
    },
    clock,
  );
});

afterEach(async () => {
  await ledger.db.$disconnect();
  await database.drop();
});

/** Resolves once `count` callers are waiting; every caller then goes on together. */
function barrier(count: number): () => Promise<void> {
  let waiting = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    waiting += 1;
    if (waiting === count) release();
    return all;
  };
}

const balances = (l: Ledger) => l.db.ledgerBalance.findMany({ orderBy: { id: "asc" } });

describe("appending with the version the command decided on", () => {
  it("of two concurrent commands that read the same state, one appends and the other gets concurrency_conflict", async () => {
    await ledger.openAccount("acc-c", "Leslie");
    const bothRead = barrier(2);
    const seen: number[] = [];
    const attempts = await Promise.allSettled(
      [5, 7].map((amount) =>
        ledger.deposit("acc-c", amount, undefined, async (state) => {
          seen.push(state.version);
          await bothRead();
        }),
      ),
    );

    // Both decided on version 1 with a plain read: no row lock kept either from deciding.
    expect(seen).toEqual([1, 1]);
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    const [lost] = attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected");
    expect(lost?.reason).toBeInstanceOf(ConcurrencyConflictError);
    expect(lost?.reason).toMatchObject({ kind: "conflict", code: "concurrency_conflict" });
    expect(httpStatusOf(lost?.reason)).toBe(409);

    // The loser left nothing behind: one deposit in the log and in the state.
    const [state] = await balances(ledger);
    expect(state).toMatchObject({ version: 2 });
    expect([5, 7]).toContain(state?.balance);
    expect(await ledger.db.platformEvent.count({ where: { aggregateId: "acc-c" } })).toBe(2);
  });

  it("a command that decided on an older version is refused with concurrency_conflict", async () => {
    await ledger.openAccount("acc-o", "Grace");
    await ledger.deposit("acc-o", 1);
    await expect(ledger.deposit("acc-o", 1, 1)).rejects.toMatchObject({
      code: "concurrency_conflict",
      details: { aggregateId: "acc-o", expectedVersion: 1, actualVersion: 2 },
    });
  });
});

describe("inline projections", () => {
  it("the state table is written by the inline handlers in the append's transaction", async () => {
    await ledger.openAccount("acc-i", "Ada");
    await ledger.deposit("acc-i", 30);
    await ledger.deposit("acc-i", 12);
    const opened = await ledger.db.platformEvent.findFirstOrThrow({
      where: { aggregateId: "acc-i", version: 1 },
    });
    const last = await ledger.db.platformEvent.findFirstOrThrow({
      where: { aggregateId: "acc-i", version: 3 },
    });
    expect(await balances(ledger)).toEqual([
      {
        id: "acc-i",
        owner: "Ada",
        balance: 42,
        version: 3,
        openedAt: opened.occurredAt,
        updatedAt: last.occurredAt,
      },
    ]);
  });

  it("a handler that fails undoes the append with it", async () => {
    // Bypasses the command: the handler's update of a missing row fails, and the event goes with it.
    await expect(
      ledger.db.$transaction((tx) =>
        ledger.store.append(tx, {
          aggregate: { type: "account", id: "acc-nowhere" },
          expectedVersion: 0,
          events: [
            { type: "platform.test.ledger.FundsDeposited", data: { account_id: "acc-nowhere", amount: 1 } },
          ],
        }),
      ),
    ).rejects.toThrow();
    expect(await ledger.db.platformEvent.count({ where: { aggregateId: "acc-nowhere" } })).toBe(0);
  });

  it("a rebuild from the log at a later time equals the live table", async () => {
    await ledger.openAccount("acc-a", "Ada");
    clock.advance(60_000);
    await ledger.openAccount("acc-b", "Edsger");
    for (let i = 1; i <= 5; i++) {
      clock.advance(1_000);
      await ledger.deposit(i % 2 ? "acc-a" : "acc-b", i);
    }
    const live = await balances(ledger);
    expect(live.map((row) => [row.id, row.balance, row.version])).toEqual([
      ["acc-a", 9, 4],
      ["acc-b", 6, 3],
    ]);

    clock.advance(86_400_000);
    await ledger.db.ledgerBalance.update({ where: { id: "acc-a" }, data: { balance: -1 } });
    const replayed = await ledger.store.rebuildInline(ledger.db, resetInline);

    expect(replayed).toBe(7);
    expect(await balances(ledger)).toEqual(live);
  });
});

describe("the service's one clock", () => {
  it("stamps the occurred-at column and the payload's occurred_at with the same instant", async () => {
    clock.advance(-3_600_000);
    const before = clock.now().getTime();
    await ledger.openAccount("acc-t", "Tony");
    const after = clock.now().getTime();
    const event = await ledger.db.platformEvent.findFirstOrThrow({ where: { aggregateId: "acc-t" } });
    expect(event.payload).toMatchObject({ occurred_at: event.occurredAt.getTime() });
    expect(event.occurredAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(event.occurredAt.getTime()).toBeLessThanOrEqual(after);
  });

  it("keeps the time a command decided with, for the column too", async () => {
    const decided = clock.now().getTime() - 5_000;
    const [stored] = await ledger.db.$transaction((tx) =>
      ledger.store.append(tx, {
        aggregate: { type: "account", id: "acc-d" },
        expectedVersion: 0,
        events: [{ type: AccountOpened, data: { account_id: "acc-d", owner: "Dana", occurred_at: decided } }],
      }),
    );
    expect(stored?.occurredAt).toEqual(new Date(decided));
    const [state] = await balances(ledger);
    expect(state).toMatchObject({ openedAt: new Date(decided), updatedAt: new Date(decided) });
  });
});
