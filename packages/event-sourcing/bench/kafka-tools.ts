import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const KAFKA_VERSION = "4.4.0";

/** Kafka's own tools' jars, resolved from Maven Central once (like the broker's, infra/kafka). */
export function kafkaToolsLibs(): string {
  const cache = process.env.PLATFORM_CACHE ?? join(homedir(), ".cache/saas-platform");
  const libs = join(cache, `kafka-tools-${KAFKA_VERSION}/libs`);
  if (!existsSync(libs) || !readdirSync(libs).some((file) => file.startsWith("kafka-tools-"))) {
    execFileSync(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        join(__dirname, "kafka-tools/pom.xml"),
        "dependency:copy-dependencies",
        `-Dkafka.version=${KAFKA_VERSION}`,
        `-Dtools.libs=${libs}`,
      ],
      { stdio: "inherit" },
    );
  }
  return libs;
}

/** Runs org.apache.kafka.tools.<tool> with a small heap; resolves with what it printed. */
export function kafkaTool(
  tool: "ProducerPerformance" | "ConsumerPerformance",
  args: string[],
): Promise<string> {
  const libs = kafkaToolsLibs();
  return new Promise((resolve, reject) => {
    execFile(
      "java",
      ["-Xmx256m", "-cp", `${libs}/*`, `org.apache.kafka.tools.${tool}`, ...args],
      { maxBuffer: 16 * 2 ** 20, timeout: 600_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${tool} failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}
