// tenancy's process: telemetry first (so http, express and pg are instrumented), then the HTTP API,
// the relay (event store → tenancy.events) and the projectors (read models, processes).
import { startTelemetry } from "@platform/observability";

const telemetry = startTelemetry({ serviceName: "tenancy" });

void (async () => {
  const { createHttpApp, onShutdown, serve } = await import("@platform/http");
  const { loadTenancyConfig } = await import("./config.js");
  const { TenancyService } = await import("./service.js");
  const { tenancyRoutes } = await import("./http/routes.js");

  const service = new TenancyService(loadTenancyConfig());
  try {
    await service.start();
    await service.startWorkers();
    const app = createHttpApp({
      logger: service.logger,
      routes: tenancyRoutes(service),
      readiness: [
        { name: "postgres", check: async () => void (await service.db.$queryRawUnsafe("SELECT 1")) },
      ],
    });
    const http = await serve(app, { port: service.config.PORT });
    service.logger.info({ port: http.port }, "tenancy listening");
    onShutdown(service.logger, [
      { name: "http", run: () => http.close() },
      { name: "service", run: () => service.stop() },
      { name: "telemetry", run: () => telemetry.shutdown() },
    ]);
  } catch (error) {
    service.logger.fatal({ error }, "tenancy failed to start");
    process.exit(1);
  }
})();
