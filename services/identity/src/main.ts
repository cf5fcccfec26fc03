// identity's process: telemetry first (so http, express and pg are instrumented), then the HTTP API,
// the relay (event store → identity.events) and the projector (audit log, memberships).
import { startTelemetry } from "@platform/observability";

const telemetry = startTelemetry({ serviceName: "identity" });

void (async () => {
  const { runService } = await import("@platform/http");
  const { loadIdentityConfig } = await import("./config.js");
  const { IdentityService } = await import("./service.js");
  const { identityHttp } = await import("./http/index.js");

  const service = new IdentityService(loadIdentityConfig());
  await runService({
    service,
    telemetry,
    ...identityHttp(service),
    readiness: [{ name: "postgres", check: async () => void (await service.db.$queryRawUnsafe("SELECT 1")) }],
  });
})();
