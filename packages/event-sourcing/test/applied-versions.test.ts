/**
 * Issue #10 item 6: a projector reading two topics keys what it applied by topic too, so an event is
 * not skipped because another service's log holds an aggregate with the same id.
 */
import { domainEventMessage, ensureTopics, subjectFor } from "@platform/messaging";
import { uniqueName } from "@platform/testkit";
import { catalog, FundsDeposited } from "./fixture/src/ledger";
import { LedgerHarness, projection, relayAll, waitForDeposits } from "./ledger-harness";

let harness: LedgerHarness;

beforeEach(async () => {
  harness = await LedgerHarness.create();
});

afterEach(async () => {
  await harness.close();
});

it("two topics carrying the same aggregate id and version are both applied", async () => {
  const writer = await harness.ledger();
  await writer.provision(1);
  await writer.openAccount("acc-same", "Ada");
  await writer.deposit("acc-same", 5);
  await relayAll(writer);

  // Another service's log, where an aggregate happens to have the same id, at versions already seen.
  const other = uniqueName("other.events");
  const admin = writer.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic: other, partitions: 1 }]);
  await admin.disconnect();
  await writer.serde.register(subjectFor(other, FundsDeposited), catalog.get(FundsDeposited).schema);
  const otherLog = await Promise.all(
    [1, 2].map((version) =>
      domainEventMessage(writer.serde, other, catalog.get(FundsDeposited).schema, {
        eventId: `00000000-0000-4000-8000-00000000000${version}`,
        type: FundsDeposited,
        aggregateId: "acc-same",
        version,
        occurredAt: new Date(),
        data: { account_id: "acc-same", amount: 100 },
      }),
    ),
  );
  const projector = writer.projector(uniqueName("ledger-two-topics"), { topics: [harness.env.topic, other] });
  await projector.start();
  // The account must exist before the other topic's deposits reach it.
  await waitForDeposits(writer, 1);
  await writer.producer.send({ topic: other, messages: otherLog });
  await waitForDeposits(writer, 3);
  expect(await projector.lag()).toBe(0);
  await projector.stop();

  const { accounts, deposits } = await projection(writer);
  expect(accounts).toEqual([{ id: "acc-same", owner: "Ada", balance: 205, deposits: 3 }]);
  expect(deposits.map((d) => d.amount).sort()).toEqual([100, 100, 5]);
  expect(projector.stats).toMatchObject({ applied: 4, duplicate: 0 });
});
