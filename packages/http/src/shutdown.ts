import type { Logger } from "@platform/observability";

export interface ShutdownStep {
  /** For the logs, e.g. `stop accepting HTTP`, `stop consuming`, `flush producer`, `disconnect database`. */
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Longest any one step may take; a step still running then counts as failed and the next one starts. */
  timeoutMs?: number;
}

export type StepOutcome = "done" | "failed" | "timed_out";

export interface ShutdownReport {
  /** True when every step finished in time. */
  ok: boolean;
  steps: Array<{ name: string; outcome: StepOutcome; durationMs: number }>;
}

const TIMED_OUT = Symbol("timed out");

/**
 * Runs the steps one after another, in the order given, each bounded by `timeoutMs`, and logs each.
 * A failing or hanging step does not stop the ones after it: the database still gets disconnected
 * when the producer could not flush. Never throws.
 */
export async function runShutdown(steps: ShutdownStep[], options: ShutdownOptions): Promise<ShutdownReport> {
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const report: ShutdownReport = { ok: true, steps: [] };
  for (const step of steps) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    let outcome: StepOutcome;
    try {
      const result = await Promise.race([Promise.resolve().then(step.run), timeout]);
      outcome = result === TIMED_OUT ? "timed_out" : "done";
      const durationMs = Date.now() - started;
      if (outcome === "done") logger.info({ step: step.name, durationMs }, "shutdown step done");
      else logger.error({ step: step.name, timeoutMs }, "shutdown step timed out");
    } catch (error) {
      outcome = "failed";
      logger.error({ step: step.name, err: error }, "shutdown step failed");
    } finally {
      clearTimeout(timer);
    }
    if (outcome !== "done") report.ok = false;
    report.steps.push({ name: step.name, outcome, durationMs: Date.now() - started });
  }
  return report;
}

export interface OnShutdownOptions {
  /** Per step; see runShutdown. */
  timeoutMs?: number;
  /** Ends the process; tests replace it. */
  exit?: (code: number) => void;
}

/**
 * On SIGTERM or SIGINT, runs the steps in order (typically: stop accepting HTTP → stop consuming →
 * finish in-flight work → flush the producer → disconnect the database → flush telemetry), then exits
 * 0, or 1 if a step failed or timed out. A second signal during shutdown exits 1 at once.
 * Returns a function that removes the handlers.
 */
export function onShutdown(
  logger: Logger,
  steps: ShutdownStep[],
  options: OnShutdownOptions = {},
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const handle = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, "second signal during shutdown; exiting now");
      exit(1);
      return;
    }
    shuttingDown = true;
    logger.info({ signal, steps: steps.map((step) => step.name) }, "shutting down");
    void runShutdown(steps, { logger, timeoutMs: options.timeoutMs }).then((report) => {
      logger[report.ok ? "info" : "error"](
        { steps: report.steps },
        report.ok ? "shutdown complete" : "shutdown incomplete",
      );
      logger.flush();
      exit(report.ok ? 0 : 1);
    });
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
  return () => {
    process.off("SIGTERM", handle);
    process.off("SIGINT", handle);
  };
}
