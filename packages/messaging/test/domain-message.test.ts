import { infrastructure, uniqueName } from "@platform/testkit";
import { type AvroSchema, AvroSerde, domainEventMessage, Headers, readHeader, subjectFor } from "../src";

const serde = AvroSerde.connect(infrastructure().schemaRegistryUrl);
const schema: AvroSchema = {
  type: "record",
  name: "SeatChanged",
  namespace: "platform.test.message",
  fields: [
    { name: "account_id", type: "string" },
    { name: "seats", type: "int" },
  ],
};
const type = "platform.test.message.SeatChanged";
const event = {
  eventId: "0b7f1f1e-4a53-4c1e-9f54-6d3b3c1a2b3c",
  type,
  aggregateId: "org_1",
  version: 3,
  tenantId: "org_1",
  occurredAt: new Date("2026-11-30T08:00:00.000Z"),
  data: { account_id: "org_1", seats: 5 },
};
/** A topic whose subject for the type is registered, as `platform infra` does before any relay runs. */
async function registeredTopic(): Promise<string> {
  const topic = uniqueName("message.events");
  await serde.register(subjectFor(topic, type), schema);
  return topic;
}

describe("domainEventMessage, the one builder of domain-event messages", () => {
  it("keys by aggregate, encodes under the topic's subject for the type, and writes every platform header", async () => {
    const topic = await registeredTopic();
    const message = await domainEventMessage(serde, topic, schema, event);
    expect(message.key).toBe("org_1");
    expect(await serde.decode(message.value as Buffer)).toEqual(event.data);
    expect(message.headers).toEqual({
      [Headers.eventId]: event.eventId,
      [Headers.eventType]: type,
      [Headers.aggregateId]: "org_1",
      [Headers.aggregateVersion]: "3",
      [Headers.tenantId]: "org_1",
      [Headers.occurredAt]: "2026-11-30T08:00:00.000Z",
    });
  });

  it("carries the trace context the event was appended under", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const message = await domainEventMessage(serde, await registeredTopic(), schema, {
      ...event,
      trace: { traceparent },
    });
    expect(readHeader(message.headers, "traceparent")).toBe(traceparent);
  });
});
