/**
 * `appendForTenant`, the one stamp every service's tenant events get (tenancy's `record`, billing's
 * subscriptions, invoices and test clocks): what the stored payload, tenant and metadata say, and that
 * the expected version still guards the append.
 */
import { ConcurrencyConflictError } from "@platform/errors";
import type { AvroSchema } from "@platform/messaging";
import {
  createTestDatabase,
  infrastructure,
  TestClock,
  type TestDatabase,
  uniqueName,
} from "@platform/testkit";
import { type ActorStamp, appendForTenant, EventCatalog, EventStore } from "../src";
import { Ledger, type Tx } from "./fixture/src/ledger";
import { MIGRATIONS } from "./ledger-harness";

const NoteWritten = "platform.test.tenant.NoteWritten";
const noteWritten: AvroSchema = {
  type: "record",
  name: "NoteWritten",
  namespace: "platform.test.tenant",
  fields: [
    { name: "account_id", type: "string" },
    { name: "text", type: "string" },
    { name: "occurred_at", type: { type: "long", logicalType: "timestamp-millis" } },
    {
      name: "actor",
      type: {
        type: "record",
        name: "Actor",
        fields: [
          { name: "type", type: "string" },
          { name: "id", type: ["null", "string"] },
        ],
      },
    },
  ],
};

const person: ActorStamp = { type: "user", id: "usr_1" };
const system: ActorStamp = { type: "system", id: null };

let database: TestDatabase;
let ledger: Ledger;
let store: EventStore<Tx>;
// A year ahead of the wall clock: a stored time from it would not be the command's.
const storeClock = new TestClock();
storeClock.advance(365 * 86_400_000);

beforeEach(async () => {
  database = await createTestDatabase({ migrationsDir: MIGRATIONS });
  const infra = infrastructure();
  // Only the ledger's database is used: its platform_events; nothing here connects to Kafka.
  ledger = new Ledger({
    databaseUrl: database.url,
    kafkaBrokers: infra.kafkaBrokers,
    schemaRegistryUrl: infra.schemaRegistryUrl,
    topic: uniqueName("tenant.events"),
  });
  store = new EventStore<Tx>(new EventCatalog([noteWritten]), { clock: storeClock });
});

afterEach(async () => {
  await ledger.db.$disconnect();
  await database.drop();
});

const write = (id: string, expectedVersion: number, texts: string[], actor: ActorStamp, now: Date) =>
  ledger.db.$transaction((tx) =>
    appendForTenant(store, tx, {
      aggregate: { type: "note", id, accountId: "acc_1" },
      expectedVersion,
      events: texts.map((text) => ({ type: NoteWritten, data: { text } })),
      actor,
      now,
    }),
  );

describe("appendForTenant", () => {
  it("stamps each event with the organization, the command's time and actor, and names the actor in the metadata", async () => {
    const now = new Date("2031-05-06T07:08:09Z");
    await write("note_1", 0, ["a", "b"], person, now);

    const stored = await ledger.db.$transaction((tx) => store.load(tx, "note_1"));
    expect(stored.map((event) => [event.version, event.tenantId, event.aggregateType])).toEqual([
      [1, "acc_1", "note"],
      [2, "acc_1", "note"],
    ]);
    expect(stored.map((event) => event.data)).toEqual([
      { account_id: "acc_1", text: "a", occurred_at: now.getTime(), actor: person },
      { account_id: "acc_1", text: "b", occurred_at: now.getTime(), actor: person },
    ]);
    // The command's time, not the store's clock: a replayed decision keeps the time it was made at.
    expect(stored.map((event) => event.occurredAt)).toEqual([now, now]);
    expect(stored.map((event) => event.metadata.actor)).toEqual(["usr_1", "usr_1"]);
  });

  it("names an actor without an id by its type", async () => {
    await write("note_2", 0, ["a"], system, storeClock.now());
    const [event] = await ledger.db.$transaction((tx) => store.load(tx, "note_2"));
    expect(event?.metadata.actor).toBe("system");
    expect(event?.data.actor).toEqual(system);
  });

  it("refuses a version other than the one stored, and appends nothing", async () => {
    await write("note_3", 0, ["a"], person, storeClock.now());
    await expect(write("note_3", 0, ["again"], person, storeClock.now())).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    const stored = await ledger.db.$transaction((tx) => store.load(tx, "note_3"));
    expect(stored.map((event) => event.data.text)).toEqual(["a"]);
  });
});
