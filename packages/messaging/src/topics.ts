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
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((t) => t.topic);
}
