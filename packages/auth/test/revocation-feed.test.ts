import { IdentityEvent, latestSchemasOf, loadContracts, SCHEMAS_ROOT } from "@platform/contracts";
import { AvroSerde, createKafka, ensureTopics, Headers, subjectFor } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { infrastructure, uniqueName, waitFor } from "@platform/testkit";
import { RevocationFeed, RevocationSet } from "../src";
import { ACCESS_REVOKED } from "../src/revocation-feed";

const { kafkaBrokers, schemaRegistryUrl } = infrastructure();
const logger = createLogger({ name: "revocation-feed-test", level: "silent" });
const kafka = createKafka({ clientId: "revocation-feed-test", brokers: kafkaBrokers, logger });
const serde = AvroSerde.connect(schemaRegistryUrl);
const producer = kafka.producer();
const HOUR_MS = 3_600_000;

const accessRevokedSchema = latestSchemasOf(loadContracts(SCHEMAS_ROOT), "identity.events")[ACCESS_REVOKED];
if (!accessRevokedSchema) throw new Error("identity.events has no AccessRevoked schema");
const accessRevoked = accessRevokedSchema;

async function publishRevocation(topic: string, sessionId: string, at: number): Promise<void> {
  const value = await serde.encode(subjectFor(topic, IdentityEvent.AccessRevoked), accessRevoked, {
    account_id: null,
    scope: "session",
    subject_id: sessionId,
    tokens_issued_before: at,
    reason: "signed_out",
    occurred_at: at,
    actor: { type: "user", id: "user-1", ip_address: null, user_agent: null },
  });
  await producer.send({
    topic,
    messages: [
      { key: sessionId, value, timestamp: String(at), headers: { [Headers.eventType]: ACCESS_REVOKED } },
    ],
  });
}

const token = (sessionId: string, issuedAtMs: number) => ({
  kind: "user" as const,
  subject: "user-1",
  sessionId,
  accountId: null,
  issuedAtMs,
});

async function freshTopic(): Promise<string> {
  const topic = uniqueName("identity.events");
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, partitions: 3 }]);
  } finally {
    await admin.disconnect();
  }
  await serde.register(subjectFor(topic, IdentityEvent.AccessRevoked), accessRevoked);
  return topic;
}

beforeAll(() => producer.connect());
afterAll(() => producer.disconnect());

describe("RevocationFeed against a real broker", () => {
  it("holds the window's revocations when start() returns, not older ones, and follows new ones", async () => {
    const topic = await freshTopic();
    const now = Date.now();
    await publishRevocation(topic, "sess-old", now - 2 * HOUR_MS);
    await publishRevocation(topic, "sess-recent", now - 10 * 60_000);

    const revocations = new RevocationSet(3600);
    const feed = new RevocationFeed({ kafka, serde, topic, revocations, name: uniqueName("feed"), logger });
    await feed.start();
    try {
      expect(revocations.isRevoked(token("sess-recent", now - 20 * 60_000))).toBe(true);
      expect(revocations.isRevoked(token("sess-old", now - 3 * HOUR_MS))).toBe(false);

      await publishRevocation(topic, "sess-new", Date.now());
      await waitFor(() => revocations.isRevoked(token("sess-new", now - 60_000)), { timeoutMs: 10_000 });
    } finally {
      await feed.stop();
    }
  });

  it("starts on a topic with nothing in the window and still follows it", async () => {
    const topic = await freshTopic();
    await publishRevocation(topic, "sess-ancient", Date.now() - 5 * HOUR_MS);
    const revocations = new RevocationSet(3600);
    const feed = new RevocationFeed({ kafka, serde, topic, revocations, name: uniqueName("feed"), logger });
    await feed.start();
    try {
      expect(revocations.size).toBe(0);
      await publishRevocation(topic, "sess-later", Date.now());
      await waitFor(() => revocations.size === 1, { timeoutMs: 10_000 });
    } finally {
      await feed.stop();
    }
  });

  it("commits the window's start for its group before joining, so a consumer restarted by kafkajs resumes there", async () => {
    const topic = await freshTopic();
    const recent = Date.now() - 60_000;
    await publishRevocation(topic, "sess-1", recent);
    const name = uniqueName("feed");
    const feed = new RevocationFeed({
      kafka,
      serde,
      topic,
      revocations: new RevocationSet(3600),
      name,
      logger,
    });
    await feed.start();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.filter((g) =>
        g.groupId.startsWith(`${name}.revocations.`),
      );
      expect(groups).toHaveLength(1);
      const [group] = groups;
      const committed = await admin.fetchOffsets({ groupId: group?.groupId ?? "", topics: [topic] });
      const starts = await admin.fetchTopicOffsetsByTimestamp(topic, recent - 1000);
      // Every partition has a committed start (the one with the event at its offset, the others at their end).
      expect((committed[0]?.partitions ?? []).map((p) => Number(p.offset)).sort()).toEqual(
        starts.map((p) => (p.offset === "-1" ? 0 : Number(p.offset))).sort(),
      );
    } finally {
      await admin.disconnect();
      await feed.stop();
    }
  });
});
