import { createLogger, type Logger } from "@platform/observability";
import { createHttpApp, type HttpAppOptions, type Serving, serve } from "../src";

export interface Captured {
  logger: Logger;
  lines: () => Record<string, unknown>[];
}

export function captureLogs(): Captured {
  const written: string[] = [];
  const logger = createLogger({
    name: "http-test",
    level: "debug",
    destination: { write: (line) => written.push(line) },
  });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export interface TestServer extends Captured {
  url: string;
  serving: Serving;
}

/** The app on an ephemeral port; remember to `serving.close()`. */
export async function start(options: Omit<HttpAppOptions, "logger">): Promise<TestServer> {
  const captured = captureLogs();
  const serving = await serve(createHttpApp({ ...options, logger: captured.logger }), {
    port: 0,
    host: "127.0.0.1",
  });
  return { ...captured, serving, url: `http://127.0.0.1:${serving.port}` };
}
