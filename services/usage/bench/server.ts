/**
 * The usage service for a benchmark, in its own process (so the load generator does not share its
 * event loop): the test harness's service (own database and topics, real Kafka/registry/Postgres),
 * organizations on named plans, a usage.write token for each, and a do-nothing node:http server for
 * reference, printed as one JSON line. Stops on
 * SIGTERM. Run by bench/quota.ts and bench/flood.ts, not by hand.
 */
import { createServer } from "node:http";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { waitFor } from "@platform/testkit";
import { startUsage } from "../test/support/harness";
import { startTrial } from "./trial";

async function main(): Promise<void> {
  const plans = JSON.parse(process.argv[2] ?? "[]") as { planId: string; limits: Record<string, number> }[];
  const h = await startUsage({
    LOG_LEVEL: "error",
    ...(process.env.BENCH_RATE_LIMITS ? { USAGE_RATE_LIMITS: process.env.BENCH_RATE_LIMITS } : {}),
    // bench:flood's comparison without the refused connections' pause (`USAGE_REFUSED_PAUSE_MS=0`).
    ...(process.env.USAGE_REFUSED_PAUSE_MS
      ? { USAGE_REFUSED_PAUSE_MS: process.env.USAGE_REFUSED_PAUSE_MS }
      : {}),
  });
  const orgs = [];
  for (const { planId, limits } of plans) {
    const accountId = await startTrial(h.publish, h.clock.now().getTime(), limits, planId);
    await waitFor(async () => ((await h.service.quotaView.get(accountId)).period ? true : undefined), {
      what: "the trial's period",
      timeoutMs: 30_000,
    });
    orgs.push({ accountId, token: await h.apiKeyToken(accountId, ["usage.write", "usage.read"]) });
  }
  // The reference: plain node:http in the same process, reading the body and answering `{}` — what
  // HTTP, the kept-alive connection and the machine cost, the floor under the service's figures.
  const stats = processStats();
  const reference = createServer((req, res) => {
    if (req.url === "/stats") {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(stats.take()));
      return;
    }
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": 2 });
      res.end("{}");
    });
  });
  reference.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => reference.listen(0, "127.0.0.1", resolve));
  const { port } = reference.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: h.url, reference: `http://127.0.0.1:${port}`, orgs })}\n`);
  process.on("SIGTERM", () => {
    reference.close();
    h.close().finally(() => process.exit(0));
  });
}

/**
 * What the service's own process did to its latency since the last `take()`: the event loop's delay
 * (how late a 1 ms timer fired: every stall of the loop, whatever caused it) and GC pauses, so a
 * bench can tell the service's stalls from the machine's (GET /stats on the reference port).
 */
function processStats() {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return {
    take() {
      const taken = {
        loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
        gc: {
          count: gc.count,
          totalMs: Math.round(gc.totalMs * 10) / 10,
          maxMs: Math.round(gc.maxMs * 100) / 100,
        },
      };
      loop.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
      return taken;
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
