import type { Logger } from "@platform/observability";
import type { Router } from "express";
import { createHttpApp, type HttpAppOptions } from "./app";
import type { ReadinessCheck } from "./readiness";
import { serve } from "./serve";
import { onShutdown } from "./shutdown";

/** What a service's composition root offers its process. */
export interface RunnableService {
  readonly logger: Logger;
  readonly config: { PORT: number; SERVICE_NAME: string };
  /** Migrations, keys, producer: everything before the first request. */
  start(): Promise<void>;
  /** Relay and projectors. */
  startWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A service's process, the same for every service: start it and its workers, serve its routes with
 * readiness, and on SIGTERM stop HTTP, then the service, then telemetry. A failed start exits 1.
 * Call it after telemetry has started (main.ts imports this package dynamically for that reason).
 */
export async function runService(
  options: {
    service: RunnableService;
    routes: (router: Router) => void;
    readiness: ReadinessCheck[];
    telemetry: { shutdown(): Promise<void> };
  } & Pick<HttpAppOptions, "bodies" | "problemFormats" | "gates" | "accessLog" | "hotRoutes">,
): Promise<void> {
  const { service } = options;
  const name = service.config.SERVICE_NAME;
  try {
    await service.start();
    await service.startWorkers();
    const app = createHttpApp({
      logger: service.logger,
      routes: options.routes,
      gates: options.gates,
      readiness: options.readiness,
      bodies: options.bodies,
      problemFormats: options.problemFormats,
      accessLog: options.accessLog,
      hotRoutes: options.hotRoutes,
    });
    const http = await serve(app, { port: service.config.PORT });
    service.logger.info({ port: http.port }, `${name} listening`);
    onShutdown(service.logger, [
      { name: "http", run: () => http.close() },
      { name: "service", run: () => service.stop() },
      { name: "telemetry", run: () => options.telemetry.shutdown() },
    ]);
  } catch (error) {
    service.logger.fatal({ error }, `${name} failed to start`);
    process.exit(1);
  }
}
