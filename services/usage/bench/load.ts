import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** What bench/server.ts printed: where the service listens, and each organization's token. */
export interface BenchServer {
  url: string;
  orgs: { accountId: string; token: string }[];
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(
  plans: { planId: string; limits: Record<string, number> }[],
  rateLimits: unknown,
): Promise<BenchServer> {
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the service alone.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const server = join(__dirname, "server.ts");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", server, JSON.stringify(plans)], {
    env: { ...process.env, BENCH_RATE_LIMITS: JSON.stringify(rateLimits) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const { url, orgs } = JSON.parse(line) as Pick<BenchServer, "url" | "orgs">;
  return {
    url,
    orgs,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** One POST over a kept-alive connection; resolves with the status and the latency in ms. */
export function post(
  url: string,
  path: string,
  token: string,
  body: unknown,
): Promise<{ status: number; ms: number }> {
  const payload = JSON.stringify(body);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * Open loop: `rate` requests a second for `seconds`, started on schedule whether or not earlier ones
 * answered (a closed loop would hide queueing: coordinated omission). Latencies of every answer.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  send: () => Promise<{ status: number; ms: number }>,
): Promise<{ ms: number[]; statuses: Record<number, number> }> {
  const ms: number[] = [];
  const statuses: Record<number, number> = {};
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const total = rate * seconds;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      send().then((answer) => {
        ms.push(answer.ms);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(inFlight);
  return { ms, statuses };
}

export function percentiles(ms: number[]): { p50: number; p90: number; p99: number; max: number; n: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(at(1)),
    n: sorted.length,
  };
}

export function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${one?.toFixed(2)} / ${five?.toFixed(2)} (1 / 5 min)`;
}

export function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
