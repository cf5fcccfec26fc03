import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import {
  createTestDatabase,
  infrastructure,
  type TestDatabase,
  uniqueName,
  waitFor,
} from "@platform/testkit";
import { Ledger, type LedgerEnvironment } from "./fixture/src/ledger";

export const MIGRATIONS = join(__dirname, "fixture/prisma/migrations");

/** A ledger "service" for one test: its own topic and database, plus helpers to run parts of it elsewhere. */
export class LedgerHarness {
  readonly children: ChildProcess[] = [];
  readonly ledgers: Ledger[] = [];
  readonly databases: TestDatabase[] = [];

  private constructor(readonly env: LedgerEnvironment) {}

  static async create({ kafkaBrokers }: { kafkaBrokers?: string[] } = {}): Promise<LedgerHarness> {
    const infra = infrastructure();
    const database = await createTestDatabase({ migrationsDir: MIGRATIONS });
    const harness = new LedgerHarness({
      databaseUrl: database.url,
      kafkaBrokers: kafkaBrokers ?? infra.kafkaBrokers,
      schemaRegistryUrl: infra.schemaRegistryUrl,
      topic: uniqueName("ledger.events"),
    });
    harness.databases.push(database);
    return harness;
  }

  /** A ledger process's wiring inside this test process, on the given database (default: the writer's). */
  async ledger(databaseUrl = this.env.databaseUrl): Promise<Ledger> {
    const ledger = new Ledger({ ...this.env, databaseUrl });
    await ledger.connect();
    this.ledgers.push(ledger);
    return ledger;
  }

  /** Another database, as another service owning its own read models would have. */
  async otherDatabase(): Promise<string> {
    const database = await createTestDatabase({ migrationsDir: MIGRATIONS });
    this.databases.push(database);
    return database.url;
  }

  /** Runs `script` (run-relay / run-projector) in a separate Node process; resolves once it is running. */
  async spawn(
    script: "run-relay" | "run-projector" | "run-http" | "run-usage-projector" | "run-usage-http",
    env: Record<string, string> = {},
  ): Promise<{ child: ChildProcess; ready: unknown }> {
    const child = fork(join(__dirname, `fixture/src/${script}.ts`), [], {
      execArgv: ["--import", "tsx"],
      env: {
        ...process.env,
        DATABASE_URL: this.env.databaseUrl,
        KAFKA_BROKERS: this.env.kafkaBrokers.join(","),
        SCHEMA_REGISTRY_URL: this.env.schemaRegistryUrl,
        LEDGER_TOPIC: this.env.topic,
        ...env,
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.children.push(child);
    const ready = await new Promise<unknown>((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    });
    return { child, ready };
  }

  async close(): Promise<void> {
    for (const child of this.children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const ledger of this.ledgers) await ledger.close().catch(() => undefined);
    for (const database of this.databases) await database.drop();
  }
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Publishes everything the store holds, from this process. */
export async function relayAll(ledger: Ledger): Promise<void> {
  const relay = ledger.relay();
  while ((await relay.publishBatch()) > 0);
}

export async function projection(ledger: Ledger) {
  const accounts = await ledger.db.ledgerAccount.findMany({ orderBy: { id: "asc" } });
  const deposits = await ledger.db.ledgerDeposit.findMany({
    orderBy: [{ accountId: "asc" }, { version: "asc" }],
  });
  return { accounts, deposits };
}

export function waitForDeposits(ledger: Ledger, count: number, timeoutMs = 60_000) {
  return waitFor(async () => (await ledger.db.ledgerDeposit.count()) >= count || undefined, {
    timeoutMs,
    what: `${count} deposits in the projection`,
  });
}
