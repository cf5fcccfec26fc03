import { readdirSync, readFileSync } from "node:fs";

/**
 * Per-process figures for the benches, read from /proc (Linux): CPU cores each role kept busy and peak
 * RSS. Shared by bench/facts.ts and services' benches that measure beside it (services/usage/bench).
 */

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

export function procStatus(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[11]) + Number(fields[12]); // utime + stime, all threads
  } catch {
    return 0; // gone
  }
}

export function pidsMatching(pattern: RegExp): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return pattern.test(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
      } catch {
        return false;
      }
    });
}

/** Processes by role; looked up at each sample, because Postgres starts a backend per connection. */
export type Cpu = Record<string, () => number[]>;
export type Sample = Map<number, number>;
export function snapshot(groups: Cpu): Record<string, Sample> {
  return Object.fromEntries(
    Object.entries(groups).map(([name, pids]) => [name, new Map(pids().map((pid) => [pid, cpuTicks(pid)]))]),
  );
}
/** Cores each role kept busy since `before` (a process started since counts from zero). */
export function cpuLine(groups: Cpu, before: Record<string, Sample>, ms: number): string {
  return Object.entries(groups)
    .map(([name, pids]) => {
      const ticks = pids().reduce((sum, pid) => sum + cpuTicks(pid) - (before[name]?.get(pid) ?? 0), 0);
      return `${name} ${(ticks / 100 / (ms / 1000)).toFixed(2)}`;
    })
    .join(", ");
}

/** The run's date, CPU model and count, and load average: how loaded the shared machine was. */
export function machineLine(): string {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  return `date ${new Date().toISOString()}; ${cpuinfo.match(/model name\s*:\s*(.*)/)?.[1]}, ${
    cpuinfo.match(/^processor/gm)?.length
  } cores; load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`;
}
