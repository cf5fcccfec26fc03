// The usage service in its own process, as main.ts runs it (HTTP API, relay, read models, usage count)
// without telemetry's exporters, on a port the OS picks; tells its parent the port over IPC. Used by
// the ingest bench, and by the crash test, which sets USAGE_TEST_CRASH_AFTER_ACCOUNTS=n to have the
// process SIGKILL itself inside the first run of the count with more than n organizations, after the
// n-th one's statement (before the next one's and before the commit).
import { createHttpApp, serve } from "@platform/http";
import { loadUsageConfig } from "../../src/config";
import { usageHttp } from "../../src/http/routes";
import { UsageService } from "../../src/service";

void (async () => {
  const crashAfter = Number(process.env.USAGE_TEST_CRASH_AFTER_ACCOUNTS ?? 0);
  // The seam is a function in this thread: a crash test counts on the main thread.
  const config = loadUsageConfig(crashAfter ? { ...process.env, USAGE_COUNT: "inline" } : process.env);
  const service = new UsageService(config, undefined, {
    countSeams: crashAfter
      ? {
          afterAccount(_accountId, applied, of) {
            if (applied === crashAfter && of > applied) process.kill(process.pid, "SIGKILL");
          },
        }
      : {},
  });
  await service.start();
  await service.startWorkers();
  const app = createHttpApp({ logger: service.logger, ...usageHttp(service) });
  const http = await serve(app, { port: 0, host: "127.0.0.1" });
  process.send?.({ port: http.port });
  process.on("SIGTERM", () => {
    void http
      .close()
      .then(() => service.stop())
      .finally(() => process.exit(0));
  });
})();
