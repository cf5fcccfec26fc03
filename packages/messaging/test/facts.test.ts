import type { Producer, ProducerRecord } from "kafkajs";
import { type AvroSchema, type AvroSerde, FactProducer, Headers } from "../src";

const schema: AvroSchema = {
  type: "record",
  name: "Used",
  namespace: "platform.test",
  fields: [
    { name: "account_id", type: "string" },
    { name: "key", type: "string" },
    { name: "quantity", type: "long" },
  ],
};

/** Records each produce request; `release()` acknowledges the oldest one still pending. */
function fakeProducer() {
  const requests: ProducerRecord[] = [];
  const pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const producer = {
    send: (record: ProducerRecord) => {
      requests.push(record);
      return new Promise((resolve, reject) => pending.push({ resolve: () => resolve([]), reject }));
    },
  } as unknown as Producer;
  return {
    producer,
    requests,
    release: () => pending.shift()?.resolve(),
    fail: (error: unknown) => pending.shift()?.reject(error),
  };
}

const serde = { schemaId: async () => 42 } as unknown as AvroSerde;
const stream = { topic: "usage", schema, accountField: "account_id", idField: "key" };
const fact = (i: number, account = "acc-1") => ({ account_id: account, key: `k-${i}`, quantity: i });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("FactProducer", () => {
  it("refuses a stream whose account or id field is not a string field", () => {
    expect(
      () =>
        new FactProducer({
          producer: fakeProducer().producer,
          serde,
          stream: { ...stream, idField: "quantity" },
        }),
    ).toThrow(/string field quantity/);
  });

  it("names each invalid record by index and field, and sends nothing when one is invalid", async () => {
    const fake = fakeProducer();
    const facts = new FactProducer({ producer: fake.producer, serde, stream });
    const batch = [fact(1), { ...fact(2), quantity: "many" }, { ...fact(3), account_id: 7 }];
    expect(facts.validate(batch)).toEqual([
      { index: 1, paths: ["quantity"] },
      { index: 2, paths: ["account_id"] },
    ]);
    await expect(facts.send(batch)).rejects.toMatchObject({ code: "fact_invalid" });
    expect(fake.requests).toHaveLength(0);
  });

  it("encodes in wire format keyed by account with the id and tenant headers, acks -1", async () => {
    const fake = fakeProducer();
    const facts = new FactProducer({ producer: fake.producer, serde, stream });
    const sent = facts.send([fact(1, "acc-9")]);
    await tick();
    fake.release();
    await sent;
    const [request] = fake.requests;
    expect(request?.acks).toBe(-1);
    const [message] = request?.messages ?? [];
    expect(message?.key).toBe("acc-9");
    const value = message?.value as Buffer;
    expect(value.readUInt8(0)).toBe(0);
    expect(value.readInt32BE(1)).toBe(42);
    expect(facts.type.fromBuffer(value.subarray(5))).toEqual(fact(1, "acc-9"));
    expect(message?.headers).toEqual({
      [Headers.eventId]: "k-1",
      [Headers.eventType]: "platform.test.Used",
      [Headers.tenantId]: "acc-9",
    });
  });

  it("merges sends that arrive while a request is in flight into the next request", async () => {
    const fake = fakeProducer();
    const facts = new FactProducer({ producer: fake.producer, serde, stream });
    const first = facts.send([fact(1)]);
    await tick();
    const waiting = [facts.send([fact(2)]), facts.send([fact(3), fact(4)]), facts.send([fact(5)])];
    await tick();
    expect(fake.requests).toHaveLength(1);
    let settled = 0;
    for (const promise of waiting) void promise.then(() => settled++);
    fake.release();
    await first;
    await tick();
    expect(settled).toBe(0); // not before the broker acknowledged their own request
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.messages).toHaveLength(4);
    fake.release();
    await Promise.all(waiting);
  });

  it("fails every caller of a request the broker did not acknowledge, and goes on with the next", async () => {
    const fake = fakeProducer();
    const facts = new FactProducer({ producer: fake.producer, serde, stream });
    const first = facts.send([fact(1)]);
    await tick();
    const second = facts.send([fact(2)]);
    fake.fail(new Error("broker gone"));
    await expect(first).rejects.toThrow("broker gone");
    await tick();
    fake.release();
    await expect(second).resolves.toBeUndefined();
  });
});
