import type { Admin, ITopicConfig } from "kafkajs";

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Kafka topic configs, e.g. { "retention.ms": "-1", "cleanup.policy": "delete" }. */
  config?: Record<string, string>;
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = specs
    .filter((spec) => !existing.has(spec.topic))
    .map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.partitions,
      replicationFactor: spec.replicationFactor ?? 1,
      configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
    }));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing });
    await leadersElected(
      admin,
      missing.map((t) => t.topic),
    );
  }
  return missing.map((t) => t.topic);
}

/**
 * Waits until every partition of `topics` has a leader. kafkajs's own `waitForLeaders` retries only
 * "leader not available" and gives up on the "This server does not host this topic-partition" a
 * KRaft broker answers for a moment after creating a topic (seen failing a CI run), so the wait is
 * ours: any error or a partition without a leader is asked again, until `timeoutMs`.
 */
async function leadersElected(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const ready =
        found.length === topics.length &&
        found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`no leader for every partition of ${topics.join(", ")} after ${timeoutMs} ms`, {
        cause: last,
      });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
