import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { infrastructure } from "@platform/testkit";

/** The environment of a usage process: its database, the topics it reads and writes, its group prefix. */
export interface UsageProcessEnv {
  DATABASE_URL: string;
  USAGE_EVENTS_TOPIC: string;
  USAGE_INGEST_TOPIC: string;
  BILLING_EVENTS_TOPIC: string;
  TENANCY_EVENTS_TOPIC: string;
  IDENTITY_EVENTS_TOPIC: string;
  READ_MODEL_GROUP: string;
  [name: string]: string;
}

/**
 * The usage service in a process of its own (run-usage.ts), so a test can kill it or a bench can read
 * its CPU apart from the load generator's. Resolves once it serves HTTP; rejects if it exits first.
 */
export async function spawnUsage(env: UsageProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const infra = infrastructure();
  const child = fork(join(__dirname, "run-usage.ts"), [], {
    // USAGE_CPU_PROF=<dir>: the process writes a V8 CPU profile there when it exits (what bounds a bench).
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.USAGE_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.USAGE_CPU_PROF}`] : []),
    ],
    env: {
      ...process.env,
      KAFKA_BROKERS: infra.kafkaBrokers.join(","),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
      // The period closer is not what these processes are for.
      USAGE_CLOSER_SECONDS: "86400",
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code, signal) =>
      reject(new Error(`the usage process exited (${code ?? signal}) before it served`)),
    );
  });
  return { child, port };
}

/** Stops a usage process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopUsage(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}
