// The usage count in a worker thread of its own (USAGE_COUNT=thread, docs/usage.md "The fact path"),
// started by UsageService.startWorkers on the main thread with its configuration: the same composition
// root, running only the count, on the system clock. Its run's totals go to the main thread's quota view as messages, with tickets from the view's
// shared read order (workerData.sequence), so the view orders them exactly as it would in-process.
import { parentPort, workerData } from "node:worker_threads";
import type { QuotaUpdate } from "./app/quota-view";
import type { UsageConfig } from "./config";
import { UsageService } from "./service";

/** What the thread tells the main thread. */
export type CountThreadMessage =
  | { type: "offer"; accountId: string; update: QuotaUpdate; seq: number }
  | { type: "started" }
  | { type: "stopped" };

const port = parentPort;
if (!port) throw new Error("count-thread.ts runs as a worker thread");
const { config, sequence } = workerData as { config: UsageConfig; sequence: BigInt64Array };
const post = (message: CountThreadMessage) => port.postMessage(message);

const service = new UsageService({ ...config, USAGE_COUNT: "inline" }, undefined, {
  quotaOffers: {
    begin: () => Number(Atomics.add(sequence, 0, 1n)) + 1,
    offer: (accountId, update, seq) => post({ type: "offer", accountId, update, seq }),
  },
});

port.on("message", (message: unknown) => {
  if (message !== "stop") return;
  void service
    .stopCount()
    .catch((error: unknown) => service.logger.error({ error }, "the count thread did not stop cleanly"))
    .finally(() => {
      post({ type: "stopped" });
      port.close();
    });
});

void service.startCount().then(
  () => post({ type: "started" }),
  (error: unknown) => {
    // The main thread sees the thread exit and starts another.
    service.logger.error({ error }, "the count thread could not start");
    process.exit(1);
  },
);
