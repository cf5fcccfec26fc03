import type { Request, Response } from "express";
import { HttpErrorCodes, problem, sendProblem } from "./problem";

export interface ReadinessCheck {
  /** Names the dependency in the 503 answer and the logs, e.g. `database`, `kafka`. */
  name: string;
  /** Resolves when the dependency can serve; rejects (or takes too long) when it cannot. */
  check: () => Promise<void>;
}

async function within(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/readyz`: runs every check at once, each bounded by `timeoutMs`; 200 if all pass, else a 503 problem. */
export function readinessHandler(checks: ReadinessCheck[], timeoutMs: number) {
  return async (req: Request, res: Response): Promise<void> => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await within(timeoutMs, check);
          return { name, ok: true };
        } catch (error) {
          req.log.warn(
            { check: name, error: error instanceof Error ? error.message : String(error) },
            "readiness check failed",
          );
          return { name, ok: false };
        }
      }),
    );
    const failing = results.filter((result) => !result.ok).map((result) => result.name);
    if (failing.length === 0) {
      res.status(200).json({ status: "ready", checks: results.map((result) => result.name) });
      return;
    }
    sendProblem(
      res,
      problem(503, HttpErrorCodes.notReady, `not ready: ${failing.join(", ")}`, String(req.id), { failing }),
    );
  };
}
