import { createHttpApp, onShutdown, runShutdown, serve } from "../src";
import { captureLogs } from "./helpers";

describe("serve", () => {
  it("binds an ephemeral port and closes after in-flight requests finish", async () => {
    const { logger } = captureLogs();
    let release: () => void = () => undefined;
    const app = createHttpApp({
      logger,
      routes: (router) => {
        router.get("/slow", async (_req, res) => {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          res.json({ finished: true });
        });
      },
    });
    const serving = await serve(app, { port: 0, host: "127.0.0.1" });
    expect(serving.port).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${serving.port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // leaves a keep-alive connection open

    const inFlight = fetch(`${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    let closed = false;
    const closing = serving.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    release();
    expect(await (await inFlight).json()).toEqual({ finished: true });
    await closing;
    expect(closed).toBe(true);
  });

  it("rejects when the port is taken", async () => {
    const { logger } = captureLogs();
    const app = createHttpApp({ logger, routes: () => undefined });
    const first = await serve(app, { port: 0, host: "127.0.0.1" });
    await expect(serve(app, { port: first.port, host: "127.0.0.1" })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
  });
});

describe("runShutdown", () => {
  it("runs the steps in order and reports success", async () => {
    const { logger, lines } = captureLogs();
    const ran: string[] = [];
    const step = (name: string) => ({
      name,
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        ran.push(name);
      },
    });
    const report = await runShutdown(
      [
        step("stop accepting HTTP"),
        step("stop consuming"),
        step("flush producer"),
        step("disconnect database"),
      ],
      { logger, timeoutMs: 1_000 },
    );
    expect(ran).toEqual(["stop accepting HTTP", "stop consuming", "flush producer", "disconnect database"]);
    expect(report.ok).toBe(true);
    expect(report.steps.map((entry) => entry.outcome)).toEqual(["done", "done", "done", "done"]);
    expect(lines().map((line) => line.step)).toEqual(ran);
  });

  it("times out a hanging step, records a failing one, and still runs the rest", async () => {
    const { logger, lines } = captureLogs();
    const ran: string[] = [];
    const started = Date.now();
    const report = await runShutdown(
      [
        { name: "stop consuming", run: () => new Promise(() => undefined) },
        {
          name: "flush producer",
          run: async () => {
            throw new Error("broker gone");
          },
        },
        {
          name: "disconnect database",
          run: async () => {
            ran.push("disconnect database");
          },
        },
      ],
      { logger, timeoutMs: 100 },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(ran).toEqual(["disconnect database"]);
    expect(report.ok).toBe(false);
    expect(report.steps.map((entry) => [entry.name, entry.outcome])).toEqual([
      ["stop consuming", "timed_out"],
      ["flush producer", "failed"],
      ["disconnect database", "done"],
    ]);
    expect(lines().map((line) => [line.level, line.msg])).toEqual([
      ["error", "shutdown step timed out"],
      ["error", "shutdown step failed"],
      ["info", "shutdown step done"],
    ]);
  });

  it("counts a step that throws synchronously as failed", async () => {
    const { logger } = captureLogs();
    const report = await runShutdown(
      [
        {
          name: "sync",
          run: () => {
            throw new Error("sync");
          },
        },
      ],
      { logger },
    );
    expect(report.steps[0]?.outcome).toBe("failed");
  });
});

describe("onShutdown", () => {
  /** The handler onShutdown added, called directly: no signal is sent to the test runner. */
  type SignalListener = (signal: NodeJS.Signals) => void;
  const listeners = (signal: NodeJS.Signals): SignalListener[] => process.listeners(signal);

  function installed(signal: NodeJS.Signals, before: SignalListener[]): SignalListener {
    const added = listeners(signal).filter((listener) => !before.includes(listener));
    expect(added).toHaveLength(1);
    const [handler] = added;
    if (!handler) throw new Error(`no ${signal} handler installed`);
    return handler;
  }

  it("runs the steps on SIGTERM, exits 0, and can be removed", async () => {
    const { logger } = captureLogs();
    const before = listeners("SIGTERM");
    const ran: string[] = [];
    const exited = new Promise<number>((resolve) => {
      const dispose = onShutdown(
        logger,
        [{ name: "stop accepting HTTP", run: async () => void ran.push("http") }],
        { timeoutMs: 100, exit: (code) => resolve(code) },
      );
      installed("SIGTERM", before)("SIGTERM");
      dispose();
    });
    expect(await exited).toBe(0);
    expect(ran).toEqual(["http"]);
    expect(listeners("SIGTERM")).toEqual(before);
  });

  it("exits 1 when a step times out", async () => {
    const { logger } = captureLogs();
    const before = listeners("SIGINT");
    let dispose: () => void = () => undefined;
    const exited = new Promise<number>((resolve) => {
      dispose = onShutdown(logger, [{ name: "hang", run: () => new Promise(() => undefined) }], {
        timeoutMs: 50,
        exit: resolve,
      });
      installed("SIGINT", before)("SIGINT");
    });
    expect(await exited).toBe(1);
    dispose();
  });
});
