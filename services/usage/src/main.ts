// usage's process: telemetry first (so http, express and pg are instrumented), then the HTTP API,
// the relay (event store → usage.events), the read models, the usage count and the period closer.
import { startTelemetry } from "@platform/observability";

const telemetry = startTelemetry({ serviceName: "usage" });

void (async () => {
  const { runService } = await import("@platform/http");
  const { loadUsageConfig } = await import("./config.js");
  const { UsageService } = await import("./service.js");
  const { usageHttp } = await import("./http/routes.js");

  const service = new UsageService(loadUsageConfig());
  await runService({
    service,
    telemetry,
    ...usageHttp(service),
    readiness: [{ name: "postgres", check: async () => void (await service.db.$queryRawUnsafe("SELECT 1")) }],
  });
})();
