// identity's process: telemetry first (so http, express and pg are instrumented), then the HTTP API,
// the relay (event store → identity.events) and the projector (audit log, memberships).
import { startTelemetry } from "@platform/observability";

const telemetry = startTelemetry({ serviceName: "identity" });

void (async () => {
  const { createHttpApp, onShutdown, serve } = await import("@platform/http");
  const { loadIdentityConfig } = await import("./config.js");
  const { IdentityService } = await import("./service.js");
  const { identityHttpRoutes } = await import("./http/index.js");

  const service = new IdentityService(loadIdentityConfig());
  try {
    await service.start();
    await service.startWorkers();
    const app = createHttpApp({
      logger: service.logger,
      routes: identityHttpRoutes(service),
      readiness: [
        { name: "postgres", check: async () => void (await service.db.$queryRawUnsafe("SELECT 1")) },
      ],
    });
    const http = await serve(app, { port: service.config.PORT });
    service.logger.info({ port: http.port }, "identity listening");
    onShutdown(service.logger, [
      { name: "http", run: () => http.close() },
      { name: "service", run: () => service.stop() },
      { name: "telemetry", run: () => telemetry.shutdown() },
    ]);
  } catch (error) {
    service.logger.fatal({ error }, "identity failed to start");
    process.exit(1);
  }
})();
