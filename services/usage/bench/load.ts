import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** What bench/server.ts printed: where the service listens, and each organization's token. */
export interface BenchServer {
  url: string;
  /** A do-nothing node:http endpoint in the service's process: the machine's floor, measured alongside. */
  reference: string;
  orgs: { accountId: string; token: string }[];
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(
  plans: { planId: string; limits: Record<string, number> }[],
  rateLimits: unknown,
): Promise<BenchServer> {
  // The node flags the service runs with (its start script's), then BENCH_SERVER_NODE_ARGS (e.g.
  // "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service alone; a later flag wins).
  const nodeArgs = [
    ...startScriptNodeFlags(),
    ...(process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
  ];
  const server = join(__dirname, "server.ts");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", server, JSON.stringify(plans)], {
    env: { ...process.env, BENCH_RATE_LIMITS: JSON.stringify(rateLimits) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    // Only the announcement: a log line the service writes to stdout first is not it.
    lines.on("line", (text) => {
      if (text.startsWith('{"url"')) resolve(text);
    });
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const { url, reference, orgs } = JSON.parse(line) as Pick<BenchServer, "url" | "reference" | "orgs">;
  return {
    url,
    reference,
    orgs,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The `--flags` package.json's start script gives node (`node --max-semi-space-size=64 --import tsx …`). */
function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const [command, ...args] = manifest.scripts.start.split(" ");
  if (command !== "node") return [];
  return args.slice(0, args.indexOf("--import")).filter((arg) => arg.startsWith("--"));
}

/** The process's peak resident memory in MiB (VmHWM in /proc), or NaN off Linux. */
export function peakRssMiB(pid: number | undefined): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
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
  return new Promise((resolve) => {
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
    // A connection lost (reset by a busy peer) is an answer too, counted as status 0, not the run's end.
    req.on("error", () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
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

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux): the service's own cost
 * of a phase, which a busy machine stretches less than it stretches latencies.
 */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command; clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** The service process's event-loop delay and GC pauses since the last call (bench/server.ts, GET /stats). */
export async function processStats(server: BenchServer): Promise<{
  loopDelayMs: { p50: number; p99: number; max: number };
  gc: { count: number; totalMs: number; maxMs: number };
}> {
  const res = await fetch(`${server.reference}/stats`);
  return (await res.json()) as Awaited<ReturnType<typeof processStats>>;
}

export function statsLine(stats: Awaited<ReturnType<typeof processStats>>): string {
  const { loopDelayMs: loop, gc } = stats;
  return `${"".padEnd(28)} service loop delay p50 ${loop.p50} ms, p99 ${loop.p99} ms, max ${loop.max} ms; GC ${gc.count} pauses, ${gc.totalMs} ms, longest ${gc.maxMs} ms`;
}

/** One clear line for a reader (the JSON line beside it is for tools). */
export function summary(
  label: string,
  p: { p50: number; p99: number; n: number },
  cpuUsPerRequest?: number,
): string {
  const cpu = cpuUsPerRequest === undefined ? "" : `   service CPU ${Math.round(cpuUsPerRequest)} µs/request`;
  return `${label.padEnd(28)} p50 ${p.p50.toFixed(2).padStart(8)} ms   p99 ${p.p99.toFixed(2).padStart(8)} ms   (n=${p.n})${cpu}`;
}

export function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${one?.toFixed(2)} / ${five?.toFixed(2)} (1 / 5 min)`;
}

export function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
