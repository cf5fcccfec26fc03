import { describeError, PlatformError } from "@platform/errors";
import type { IHeaders, KafkaMessage, Producer } from "kafkajs";
import { Headers } from "./headers";

/** Each consumer group has its own dead-letter topic: what one consumer cannot apply, another may. */
export function deadLetterTopicFor(consumerGroup: string): string {
  return `${consumerGroup}.dlq`;
}

export interface DeadLetter {
  consumerGroup: string;
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: unknown;
  stage: "decode" | "apply";
}

/**
 * Publishes the original bytes, key and headers untouched, plus why and where it failed, so the
 * message can be inspected and replayed. Awaited before the consumer moves past the message:
 * nothing is dropped silently.
 */
export async function publishDeadLetter(
  producer: Producer,
  letter: DeadLetter,
  now = new Date(),
): Promise<void> {
  const headers: IHeaders = {
    ...letter.message.headers,
    [Headers.deadLetterReason]: `${letter.stage}: ${describeError(letter.error)}`.slice(0, 2000),
    [Headers.deadLetterErrorCode]:
      letter.error instanceof PlatformError ? letter.error.code : "unexpected_error",
    [Headers.deadLetterTopic]: letter.topic,
    [Headers.deadLetterPartition]: String(letter.partition),
    [Headers.deadLetterOffset]: letter.message.offset,
    [Headers.deadLetterConsumerGroup]: letter.consumerGroup,
    [Headers.deadLetterFailedAt]: now.toISOString(),
  };
  await producer.send({
    topic: deadLetterTopicFor(letter.consumerGroup),
    acks: -1,
    messages: [{ key: letter.message.key, value: letter.message.value, headers }],
  });
}
