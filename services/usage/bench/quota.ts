/**
 * Quota check latency at a fixed rate (`pnpm --filter @platform/usage bench:quota [-- --rate 1000
 * --seconds 20]`): one organization with usage counted, `POST …/quotas/check` in an open loop over
 * kept-alive connections, p50/p90/p99/max of every answer. The service runs in its own process.
 */
import { arg, machine, openLoop, percentiles, post, startServer } from "./load";

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
    const { ms, statuses } = await openLoop(rate, seconds, send);
    console.log(
      JSON.stringify({
        bench: "quota check",
        date: new Date().toISOString(),
        machine: machine(),
        rate,
        seconds,
        statuses,
        latencyMs: percentiles(ms),
      }),
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
