// The bench's usage process: the service as main.ts runs it (HTTP API, relay, read models, usage count)
// without telemetry's exporters, on a port the OS picks; tells the bench its port over IPC.
import { createHttpApp, serve } from "@platform/http";
import { loadUsageConfig } from "../src/config";
import { usageRoutes } from "../src/http/routes";
import { UsageService } from "../src/service";

void (async () => {
  const service = new UsageService(loadUsageConfig());
  await service.start();
  await service.startWorkers();
  const app = createHttpApp({ logger: service.logger, routes: usageRoutes(service) });
  const http = await serve(app, { port: 0, host: "127.0.0.1" });
  process.send?.({ port: http.port });
  process.on("SIGTERM", () => {
    void http
      .close()
      .then(() => service.stop())
      .finally(() => process.exit(0));
  });
})();
