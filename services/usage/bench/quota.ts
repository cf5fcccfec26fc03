/**
 * Quota check latency at a fixed rate (`pnpm --filter @platform/usage bench:quota [-- --rate 1000
 * --seconds 20]`): one organization with usage counted, `POST …/quotas/check` in an open loop over
 * kept-alive connections, p50/p90/p99/max of every answer; then, in the same run and at the same rate,
 * the reference (a node:http endpoint in the service's process that answers `{}`), so a noisy
 * machine shows in both. The service runs in its own process.
 */
import {
  arg,
  cpuMs,
  machine,
  openLoop,
  peakRssMiB,
  percentiles,
  post,
  processStats,
  startServer,
  statsLine,
  summary,
} from "./load";

async function main(): Promise<void> {
  const rate = arg("rate", 1_000);
  const seconds = arg("seconds", 20);
  const unlimited = { limit: 1_000_000, windowSeconds: 60 };
  const server = await startServer([{ planId: "starter", limits: { api_calls: 1_000_000_000 } }], {
    default: { ingest: unlimited, check: unlimited },
  });
  const [org] = server.orgs as [{ accountId: string; token: string }];
  const path = `/v1/organizations/${org.accountId}/quotas/check`;
  try {
    const usage = Array.from({ length: 500 }, (_, i) => ({
      metric: "api_calls",
      quantity: 3,
      idempotency_key: `b-${i}`,
    }));
    await post(server.url, `/v1/organizations/${org.accountId}/usage/batch`, org.token, { events: usage });
    const send = () => post(server.url, path, org.token, { metric: "api_calls", quantity: 1 });
    await openLoop(200, 3, send); // warm-up: connections, JIT, the view loaded
    await processStats(server);
    const cpu0 = cpuMs(server.child.pid);
    const { ms, statuses } = await openLoop(rate, seconds, send);
    const cpuCheck = ((cpuMs(server.child.pid) - cpu0) * 1000) / ms.length;
    const checkStats = await processStats(server);
    const nothing = () => post(server.reference, "/", org.token, { metric: "api_calls", quantity: 1 });
    await openLoop(200, 1, nothing);
    await processStats(server);
    const cpu1 = cpuMs(server.child.pid);
    const reference = await openLoop(rate, seconds, nothing);
    const cpuReference = ((cpuMs(server.child.pid) - cpu1) * 1000) / reference.ms.length;
    const referenceStats = await processStats(server);
    const check = { ...percentiles(ms), cpuUsPerRequest: Math.round(cpuCheck) };
    const floor = { ...percentiles(reference.ms), cpuUsPerRequest: Math.round(cpuReference) };
    console.log(
      JSON.stringify({
        bench: "quota check",
        date: new Date().toISOString(),
        machine: machine(),
        rate,
        seconds,
        statuses,
        latencyMs: check,
        process: checkStats,
        reference: { statuses: reference.statuses, latencyMs: floor, process: referenceStats },
        peakRssMiB: peakRssMiB(server.child.pid),
      }),
    );
    const rss = peakRssMiB(server.child.pid);
    console.log(`quota check at ${rate}/s for ${seconds} s — ${machine()}; service peak RSS ${rss} MiB`);
    console.log(summary("  POST …/quotas/check", check, cpuCheck));
    console.log(statsLine(checkStats));
    console.log(summary("  reference (node:http, {})", floor, cpuReference));
    console.log(statsLine(referenceStats));
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
