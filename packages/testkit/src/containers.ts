import { execFileSync } from "node:child_process";
import type { StartedTestContainer } from "testcontainers";
import { InfrastructureMissingError, missingInfrastructure } from "./infrastructure";

/** The images match docker-compose.yml, so tests with Docker see what users of compose see. */
const IMAGES = {
  kafka: "apache/kafka:4.4.0",
  registry: "apicurio/apicurio-registry-mem:2.4.2.Final",
  postgres: "postgres:15",
} as const;

function dockerAvailable(): boolean {
  try {
    execFileSync("docker", ["info", "--format", "{{.ServerVersion}}"], { stdio: "pipe", timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Jest global setup: when the infrastructure variables are set (the README's test command sets
 * them), nothing to do. Otherwise start containers if a Docker engine answers, or fail naming
 * what to start.
 */
export async function provideInfrastructure(): Promise<StartedTestContainer[]> {
  const missing = missingInfrastructure();
  if (missing.length === 0) return [];
  if (!dockerAvailable()) throw new InfrastructureMissingError(missing);
  // Loaded only when needed: most runs find the infrastructure already started natively.
  const { GenericContainer, Wait } = await import("testcontainers");

  const postgres = await new GenericContainer(IMAGES.postgres)
    .withEnvironment({ POSTGRES_PASSWORD: "postgres" })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const kafka = await new GenericContainer(IMAGES.kafka)
    .withExposedPorts({ container: 9092, host: 9092 })
    .withEnvironment({
      KAFKA_NODE_ID: "1",
      KAFKA_PROCESS_ROLES: "broker,controller",
      KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093",
      KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://localhost:9092",
      KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
      KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const registry = await new GenericContainer(IMAGES.registry)
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp("/apis/ccompat/v7/subjects", 8080))
    .start();

  process.env.POSTGRES_ADMIN_URL = `postgresql://postgres:postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`;
  process.env.KAFKA_BROKERS = "localhost:9092";
  process.env.SCHEMA_REGISTRY_URL = `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`;
  return [postgres, kafka, registry];
}
