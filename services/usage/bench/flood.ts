/**
 * Flood fairness (`pnpm --filter @platform/usage bench:flood [-- --seconds 15 --flooders 32
 * --no-burst | --burst N]`): tenant B checks its quota at 100 requests/s, first alone, then while
 * tenant A floods the same API from `flooders` closed-loop connections in another process. A's plan
 * allows 6,000 a minute, at most 200 a second (usage's default per-second rate), or N a second, or
 * with `--no-burst` (every plan's per-second rate off) as fast as it can send; past that its flood
 * gets 429. B's p99 with and without the flood, and how much of A's flood was refused.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { arg, machine, openLoop, percentiles, post, startServer, summary } from "./load";

async function main(): Promise<void> {
  const seconds = arg("seconds", 15);
  const flooders = arg("flooders", 32);
  // The comparison without the per-second rate (every window's burst off), or with another one.
  const perSecond = arg("burst", 0);
  const off = process.argv.includes("--no-burst");
  const window = (limit: number) => ({ limit, windowSeconds: 60, ...(off ? { burst: false } : {}) });
  const flooding = (limit: number) => ({
    ...window(limit),
    ...(perSecond > 0 ? { burst: { limit: perSecond } } : {}),
  });
  const rate = off ? "no per-second rate" : `per-second rate ${perSecond > 0 ? perSecond : "200 (default)"}`;
  const server = await startServer(
    [
      { planId: "flooder", limits: { api_calls: 1_000_000_000 } },
      { planId: "quiet", limits: { api_calls: 1_000_000_000 } },
    ],
    {
      default: { ingest: window(600), check: window(600) },
      flooder: { ingest: flooding(6_000), check: flooding(6_000) },
      quiet: { ingest: window(60_000), check: window(60_000) },
    },
  );
  const [a, b] = server.orgs as [{ accountId: string; token: string }, { accountId: string; token: string }];
  const check = (org: { accountId: string; token: string }) =>
    post(server.url, `/v1/organizations/${org.accountId}/quotas/check`, org.token, { metric: "api_calls" });
  try {
    await openLoop(100, 3, () => check(b)); // warm-up
    const alone = await openLoop(100, seconds, () => check(b));

    const flooder = spawn(
      process.execPath,
      ["--import", "tsx", join(__dirname, "flooder.ts"), server.url, a.accountId, a.token, String(flooders)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const floodAnswer = new Promise<string>((resolve) =>
      createInterface({ input: flooder.stdout as NodeJS.ReadableStream }).once("line", resolve),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the flood under way
    const during = await openLoop(100, seconds, () => check(b));
    flooder.kill("SIGTERM");
    const flood = JSON.parse(await floodAnswer) as Record<number, number>;

    const without = percentiles(alone.ms);
    const withFlood = percentiles(during.ms);
    console.log(
      JSON.stringify({
        bench: "flood fairness",
        date: new Date().toISOString(),
        machine: machine(),
        seconds,
        flooders,
        rate,
        quietWithout: { ...without, statuses: alone.statuses },
        quietWithFlood: { ...withFlood, statuses: during.statuses },
        p99Change: `${Math.round(((withFlood.p99 - without.p99) / without.p99) * 100)} %`,
        flood: {
          statuses: flood,
          perSecond: Math.round(Object.values(flood).reduce((x, y) => x + y, 0) / (seconds + 1)),
        },
      }),
    );
    console.log(`flood fairness, ${flooders} flooders, ${seconds} s each, A's ${rate} — ${machine()}`);
    console.log(summary("  B alone", without));
    console.log(summary("  B during A's flood", withFlood));
    console.log(
      `  B's p99 change ${Math.round(((withFlood.p99 - without.p99) / without.p99) * 100)} % (target < 10 %); A's answers ${JSON.stringify(flood)}`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
