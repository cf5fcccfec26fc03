/**
 * Flood fairness (`pnpm --filter @platform/usage bench:flood [-- --seconds 15 --flooders 32]`): tenant
 * B checks its quota at 100 requests/s, first alone, then while tenant A floods the same API from
 * `flooders` closed-loop connections (A's plan allows 100/s; the rest of its flood gets 429). B's
 * p99 with and without the flood, and how much of A's flood was refused.
 */
import { arg, machine, openLoop, percentiles, post, startServer } from "./load";

async function main(): Promise<void> {
  const seconds = arg("seconds", 15);
  const flooders = arg("flooders", 32);
  const server = await startServer(
    [
      { planId: "flooder", limits: { api_calls: 1_000_000_000 } },
      { planId: "quiet", limits: { api_calls: 1_000_000_000 } },
    ],
    {
      default: { ingest: { limit: 600, windowSeconds: 60 }, check: { limit: 600, windowSeconds: 60 } },
      flooder: { ingest: { limit: 6_000, windowSeconds: 60 }, check: { limit: 6_000, windowSeconds: 60 } },
      quiet: { ingest: { limit: 60_000, windowSeconds: 60 }, check: { limit: 60_000, windowSeconds: 60 } },
    },
  );
  const [a, b] = server.orgs as [{ accountId: string; token: string }, { accountId: string; token: string }];
  const check = (org: { accountId: string; token: string }) =>
    post(server.url, `/v1/organizations/${org.accountId}/quotas/check`, org.token, { metric: "api_calls" });
  try {
    await openLoop(100, 3, () => check(b)); // warm-up
    const alone = await openLoop(100, seconds, () => check(b));

    let flooding = true;
    const flood: Record<number, number> = {};
    const floodLoops = Array.from({ length: flooders }, async () => {
      while (flooding) {
        const { status } = await check(a);
        flood[status] = (flood[status] ?? 0) + 1;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // A past its quota: the steady state is 429s
    const during = await openLoop(100, seconds, () => check(b));
    flooding = false;
    await Promise.all(floodLoops);

    const without = percentiles(alone.ms);
    const withFlood = percentiles(during.ms);
    console.log(
      JSON.stringify({
        bench: "flood fairness",
        date: new Date().toISOString(),
        machine: machine(),
        seconds,
        flooders,
        quietWithout: { ...without, statuses: alone.statuses },
        quietWithFlood: { ...withFlood, statuses: during.statuses },
        p99Change: `${Math.round(((withFlood.p99 - without.p99) / without.p99) * 100)} %`,
        flood: {
          statuses: flood,
          perSecond: Math.round(Object.values(flood).reduce((x, y) => x + y, 0) / (seconds + 1)),
        },
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
