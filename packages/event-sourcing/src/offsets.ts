import type { Admin } from "kafkajs";
import type { SqlClient, TransactionalDatabase } from "./sql";

export interface StoredOffset {
  topic: string;
  partition: number;
  next_offset: bigint;
}

const UPSERT_NEXT_OFFSET = `INSERT INTO platform_consumer_offsets (consumer_group, topic, partition, next_offset, updated_at)
     VALUES ($1, $2, $3, $4::bigint, now())
     ON CONFLICT (consumer_group, topic, partition)`;

/**
 * A consumer group's positions in `platform_consumer_offsets`: the next offset to apply per topic and
 * partition, written in the transaction that applied the messages before it. The projectors' source
 * of truth for what is applied, not Kafka's committed offsets.
 */
export class ConsumerOffsets {
  constructor(
    private readonly db: TransactionalDatabase<SqlClient>,
    private readonly consumerGroup: string,
  ) {}

  /** Every stored position of the group, read in a transaction of its own. */
  all(): Promise<StoredOffset[]> {
    return this.db.$transaction((tx) =>
      tx.$queryRawUnsafe<StoredOffset[]>(
        "SELECT topic, partition, next_offset FROM platform_consumer_offsets WHERE consumer_group = $1",
        this.consumerGroup,
      ),
    );
  }

  /** The partition's next offset to apply, locked until `tx` ends; undefined when nothing was stored. */
  async next(tx: SqlClient, topic: string, partition: number): Promise<bigint | undefined> {
    const [row] = await tx.$queryRawUnsafe<{ next_offset: bigint }[]>(
      "SELECT next_offset FROM platform_consumer_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE",
      this.consumerGroup,
      topic,
      partition,
    );
    return row === undefined ? undefined : BigInt(row.next_offset);
  }

  /** Whether the message at `offset` is behind the stored position (applied or dead-lettered already). */
  async isSettled(tx: SqlClient, topic: string, partition: number, offset: string): Promise<boolean> {
    const next = await this.next(tx, topic, partition);
    return next !== undefined && BigInt(offset) < next;
  }

  /**
   * Stores the position after `lastOffset` unless a later one is stored: GREATEST keeps a consumer
   * that lost its partition in a rebalance from moving the stored position back.
   */
  async advanceTo(tx: SqlClient, topic: string, partition: number, lastOffset: string): Promise<void> {
    await tx.$executeRawUnsafe(
      `${UPSERT_NEXT_OFFSET} DO UPDATE SET next_offset = GREATEST(platform_consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
      this.consumerGroup,
      topic,
      partition,
      nextAfter(lastOffset),
    );
  }

  /** Forgets every position of the group (a rebuild), inside the caller's transaction. */
  async forget(tx: SqlClient): Promise<void> {
    await tx.$executeRawUnsafe(
      "DELETE FROM platform_consumer_offsets WHERE consumer_group = $1",
      this.consumerGroup,
    );
  }

  /** Records on `topics` past the stored positions (a partition never stored counts from its low watermark). */
  async lag(admin: Admin, topics: string[]): Promise<number> {
    const stored = await this.all();
    let lag = 0;
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic)) {
        const applied = stored.find((row) => row.topic === topic && row.partition === partition.partition);
        const next = applied ? Number(applied.next_offset) : Number(partition.low);
        lag += Math.max(0, Number(partition.high) - next);
      }
    }
    return lag;
  }
}

function nextAfter(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
