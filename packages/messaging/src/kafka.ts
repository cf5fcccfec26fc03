import type { Logger } from "@platform/observability";
import {
  Kafka,
  type KafkaConfig,
  logLevel as KafkaLogLevel,
  type logCreator,
  Partitioners,
  type Producer,
} from "kafkajs";

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

/** kafkajs logs through the service's pino logger, so its lines carry trace ids and land in one place. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      const child = { component: "kafkajs", ...fields };
      if (level === KafkaLogLevel.ERROR) logger.error(child, message);
      else if (level === KafkaLogLevel.WARN) logger.warn(child, message);
      else if (level === KafkaLogLevel.INFO) logger.info(child, message);
      else logger.debug(child, message);
    };
}

export function createKafka(options: KafkaOptions, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(options.logger),
    // Reconnect patiently: a broker restart must not take a service down with it.
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    connectionTimeout: 3_000,
    ...overrides,
  });
}

/**
 * The platform's producer: idempotent (one in-flight request keeps per-partition order through
 * retries) and partitioning keys with Java's murmur2, so a key lands on the partition any other
 * Kafka client would choose. Correctness never rests on idempotence: consumers deduplicate.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
