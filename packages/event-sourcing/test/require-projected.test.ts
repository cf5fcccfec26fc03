/**
 * `requireProjected`: a process that reads another consumer group's read model goes on only once that
 * group has passed its event, waits a little for it, and otherwise fails transiently (to be retried).
 */
import { UnavailableError } from "@platform/errors";
import { requireProjected } from "../src";
import type { Ledger } from "./fixture/src/ledger";
import { LedgerHarness } from "./ledger-harness";

let harness: LedgerHarness;
let ledger: Ledger;
beforeAll(async () => {
  harness = await LedgerHarness.create();
  ledger = await harness.ledger();
});
afterAll(() => harness.close());

const event = { topic: "t.events", partition: 2, offset: "41", type: "platform.test.Happened" };

const storeNext = (group: string, next: number) =>
  ledger.db.$executeRawUnsafe(
    `INSERT INTO platform_consumer_offsets (consumer_group, topic, partition, next_offset, updated_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
    group,
    event.topic,
    event.partition,
    next,
  );

it("goes on at once when the group's stored position is past the event", async () => {
  await storeNext("passed", 42);
  // No wait allowed: it would throw if it had to.
  await expect(
    ledger.db.$transaction((tx) => requireProjected(tx, "passed", event, 0)),
  ).resolves.toBeUndefined();
});

it("fails transiently (projection_behind) when the group has not reached the event, or never stored a position", async () => {
  await storeNext("behind", 41);
  for (const group of ["behind", "never"]) {
    const failure = await ledger.db
      .$transaction((tx) => requireProjected(tx, group, event, 100))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(failure).toMatchObject({ code: "projection_behind" });
  }
});

it("sees the other group's commit while it waits, without holding it up", async () => {
  await storeNext("catching-up", 40);
  const waiting = ledger.db.$transaction((tx) => requireProjected(tx, "catching-up", event, 5_000));
  await new Promise((resolve) => setTimeout(resolve, 200));
  // The other projection moves on in its own transaction, which no lock of the waiter delays.
  await storeNext("catching-up", 42);
  await expect(waiting).resolves.toBeUndefined();
});
