// billing's process: telemetry first (so http, express and pg are instrumented), then the HTTP API,
// the relay (event store → billing.events), the projectors and the scheduler.
import { startTelemetry } from "@platform/observability";

const telemetry = startTelemetry({ serviceName: "billing" });

void (async () => {
  const { runService } = await import("@platform/http");
  const { loadBillingConfig } = await import("./config.js");
  const { BillingService } = await import("./service.js");
  const { billingRoutes } = await import("./http/routes.js");

  const service = new BillingService(loadBillingConfig());
  await runService({
    service,
    telemetry,
    routes: billingRoutes(service),
    readiness: [{ name: "postgres", check: async () => void (await service.db.$queryRawUnsafe("SELECT 1")) }],
  });
})();
