// tenancy's process: telemetry first (so http, express and pg are instrumented), then the HTTP API,
// the relay (event store → tenancy.events) and the projectors (read models, processes).
import { startTelemetry } from "@platform/observability";

const telemetry = startTelemetry({ serviceName: "tenancy" });

void (async () => {
  const { runService } = await import("@platform/http");
  const { loadTenancyConfig } = await import("./config.js");
  const { TenancyService } = await import("./service.js");
  const { tenancyRoutes } = await import("./http/routes.js");

  const service = new TenancyService(loadTenancyConfig());
  await runService({
    service,
    telemetry,
    routes: tenancyRoutes(service),
    readiness: [{ name: "postgres", check: async () => void (await service.db.$queryRawUnsafe("SELECT 1")) }],
  });
})();
