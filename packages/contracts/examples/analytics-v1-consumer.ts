/**
 * What a data engineer's consumer looks like: kafkajs + @kafkajs/confluent-schema-registry, reading
 * the `analytics` topic with the v1 reader schema. Records written with any later version resolve into
 * v1 (fields added since are dropped), so this consumer keeps working as producers move on.
 *
 *   KAFKA_BROKERS=localhost:9092 SCHEMA_REGISTRY_URL=http://localhost:8081/apis/ccompat/v7 \
 *     pnpm --filter @platform/contracts example:analytics [-- --topic analytics --max 10 --group my-team]
 *
 * Deliberately uses only the public libraries (no @platform/* code), as an outside consumer would.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { Kafka, logLevel } from "kafkajs";

const { values } = parseArgs({
  options: {
    topic: { type: "string", default: "analytics" },
    group: { type: "string", default: `analytics-v1-example-${process.pid}` },
    max: { type: "string", default: "0" },
  },
});
const readerSchema = JSON.parse(
  readFileSync(join(__dirname, "../../../schemas/analytics/AnalyticsEvent/v1.avsc"), "utf8"),
);
const max = Number(values.max);

async function main(): Promise<void> {
  const { KAFKA_BROKERS = "localhost:9092", SCHEMA_REGISTRY_URL = "http://localhost:8081/apis/ccompat/v7" } =
    process.env;
  const registry = new SchemaRegistry({ host: SCHEMA_REGISTRY_URL });
  const kafka = new Kafka({
    clientId: "analytics-v1-example",
    brokers: KAFKA_BROKERS.split(","),
    logLevel: logLevel.ERROR,
  });
  const consumer = kafka.consumer({ groupId: values.group });
  await consumer.connect();
  await consumer.subscribe({ topic: values.topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          if (!message.value) return;
          const event = await registry.decode(message.value, { [SchemaType.AVRO]: { readerSchema } });
          console.log(JSON.stringify({ partition, offset: message.offset, event }));
          seen += 1;
          if (max > 0 && seen >= max) resolve();
        },
      })
      .catch(reject);
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await consumer.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
