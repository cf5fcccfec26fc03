/**
 * Proof 7: the broker is stopped and restarted while events are being appended. Nothing appended is
 * lost, and the relay and the projector recover on their own (no restart of either).
 * The test runs its own broker (infra/kafka/kafka.sh on other ports, in a temporary PLATFORM_HOME)
 * so stopping it cannot disturb suites running in parallel on the shared one.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { waitFor } from "@platform/testkit";
import { LedgerHarness, projection, waitForDeposits } from "./ledger-harness";

const run = promisify(execFile);
const kafkaScript = join(__dirname, "../../../infra/kafka/kafka.sh");
const home = mkdtempSync(join(tmpdir(), "platform-broker-restart-"));
const port = 19_000 + Math.floor(Math.random() * 900);
const brokerEnv = {
  ...process.env,
  PLATFORM_HOME: home,
  KAFKA_PORT: String(port),
  KAFKA_CONTROLLER_PORT: String(port + 1000),
};
const broker = (command: "start" | "stop") => run("bash", [kafkaScript, command], { env: brokerEnv });

let harness: LedgerHarness;

beforeAll(async () => {
  await broker("start");
  harness = await LedgerHarness.create({ kafkaBrokers: [`localhost:${port}`] });
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await broker("stop");
  rmSync(home, { recursive: true, force: true });
}, 60_000);

it("7. a broker restart while appending loses nothing, and relay and projector recover by themselves", async () => {
  const writer = await harness.ledger();
  await writer.provision();
  await writer.openAccount("acc-7", "Margaret");

  const relay = writer.relay({ maxBackoffMs: 1_000 });
  const projector = writer.projector("ledger-broker-restart");
  relay.start();
  await projector.start();

  let appended = 0;
  const append = async (count: number) => {
    for (let i = 0; i < count; i++) await writer.deposit("acc-7", ++appended);
  };

  await append(20);
  await waitForDeposits(writer, 20);

  await broker("stop");
  await append(30); // the event store does not need Kafka: commands keep working
  expect(await writer.db.platformEvent.count({ where: { publishedAt: null } })).toBe(30);
  await broker("start");
  await append(20);

  await waitForDeposits(writer, appended, 120_000);
  await waitFor(async () => (await writer.db.platformEvent.count({ where: { publishedAt: null } })) === 0, {
    what: "relay caught up",
  });
  await relay.stop();
  await projector.stop();

  const { accounts, deposits } = await projection(writer);
  expect(appended).toBe(70);
  expect(accounts).toEqual([{ id: "acc-7", owner: "Margaret", balance: (70 * 71) / 2, deposits: 70 }]);
  expect(deposits.map((d) => d.amount)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
}, 240_000);
