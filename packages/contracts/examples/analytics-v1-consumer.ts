/**
 * What a data engineer's consumer looks like: kafkajs + @kafkajs/confluent-schema-registry, reading
 * the `analytics` topic with the v1 reader schema. Records written with any later version resolve into
 * v1 (fields added since are dropped), so this consumer keeps working as producers move on.
 *
 *   KAFKA_BROKERS=localhost:9092 SCHEMA_REGISTRY_URL=http://localhost:8081/apis/ccompat/v7 \
 *     pnpm --filter @platform/contracts example:analytics -- [--topic analytics] [--max 10] [--group my-team] [--idle-timeout 30]
 *
 * Stops after --max records (0: no limit) or after --idle-timeout seconds without a record (0: never);
 * says on stderr whether the topic holds anything yet, and why it stopped.
 *
 * Deliberately uses only the public libraries (no @platform/* code), as an outside consumer would.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { Kafka, logLevel } from "kafkajs";

// pnpm 10 hands the `--` of `pnpm … example:analytics -- --max 10` to the script; parseArgs would
// take everything after it for positionals and refuse them.
const args = process.argv.slice(2);
const { values } = parseArgs({
  args: args[0] === "--" ? args.slice(1) : args,
  options: {
    topic: { type: "string", default: "analytics" },
    group: { type: "string", default: `analytics-v1-example-${process.pid}` },
    max: { type: "string", default: "0" },
    "idle-timeout": { type: "string", default: "30" },
  },
});
const readerSchema = JSON.parse(
  readFileSync(join(__dirname, "../../../schemas/analytics/AnalyticsEvent/v1.avsc"), "utf8"),
);
const max = Number(values.max);
const idleSeconds = Number(values["idle-timeout"]);
for (const [name, value] of [
  ["--max", max],
  ["--idle-timeout", idleSeconds],
] as const) {
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a whole number (0: no limit)`);
    process.exit(2);
  }
}

/** Progress goes to stderr, so stdout stays one JSON record per line for whatever reads it. */
const say = (message: string) => console.error(`[analytics-v1-example] ${message}`);

async function main(): Promise<void> {
  const { KAFKA_BROKERS = "localhost:9092", SCHEMA_REGISTRY_URL = "http://localhost:8081/apis/ccompat/v7" } =
    process.env;
  const registry = new SchemaRegistry({ host: SCHEMA_REGISTRY_URL });
  const kafka = new Kafka({
    clientId: "analytics-v1-example",
    brokers: KAFKA_BROKERS.split(","),
    logLevel: logLevel.ERROR,
  });
  const topic = values.topic;
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      say(`topic ${topic} does not exist on ${KAFKA_BROKERS} (bash infra/bin/platform infra creates it)`);
      process.exitCode = 1;
      return;
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    const stored = offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
    const limit = idleSeconds > 0 ? `; giving up after ${idleSeconds} s without one (--idle-timeout)` : "";
    say(
      stored === 0
        ? `${topic} has no records yet; waiting for the first${limit}`
        : `${topic} holds ${stored} record(s); reading from the beginning${limit}`,
    );
  } finally {
    await admin.disconnect();
  }

  const consumer = kafka.consumer({ groupId: values.group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let idle: NodeJS.Timeout | undefined;
  const reason = await new Promise<string>((resolve, reject) => {
    const armIdle = () => {
      if (idleSeconds === 0) return;
      clearTimeout(idle);
      idle = setTimeout(() => resolve(`no record for ${idleSeconds} s`), idleSeconds * 1000);
    };
    // Joining the group takes seconds of its own; idle time counts from when records can arrive.
    consumer.on(consumer.events.GROUP_JOIN, armIdle);
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          if (!message.value) return;
          armIdle();
          const event = await registry.decode(message.value, { [SchemaType.AVRO]: { readerSchema } });
          console.log(JSON.stringify({ partition, offset: message.offset, event }));
          seen += 1;
          if (max > 0 && seen >= max) resolve(`--max ${max} reached`);
        },
      })
      .catch(reject);
    process.once("SIGINT", () => resolve("interrupted"));
    process.once("SIGTERM", () => resolve("terminated"));
  });
  clearTimeout(idle);
  say(`${reason}; read ${seen} record(s)`);
  await consumer.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
