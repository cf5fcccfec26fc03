import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";

export interface Serving {
  server: Server;
  /** The port actually bound (useful with `port: 0`). */
  port: number;
  /**
   * Stops accepting connections and resolves once in-flight requests have been answered. Keep-alive
   * connections are closed as soon as they are idle instead of lingering until their timeout.
   */
  close(): Promise<void>;
}

/** Starts listening (all interfaces unless `host` is given); resolves once bound, rejects if it cannot bind. */
export function serve(app: Express, options: { port: number; host?: string }): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const server =
      options.host === undefined ? app.listen(options.port) : app.listen(options.port, options.host);
    const inFlight = new Set<ServerResponse>();
    let closing = false;
    server.on("request", (_req, res: ServerResponse) => {
      inFlight.add(res);
      res.once("close", () => {
        inFlight.delete(res);
        if (closing) setImmediate(() => server.closeIdleConnections());
      });
    });
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        server,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            closing = true;
            for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
            server.close((error) => (error ? fail(error) : done()));
            server.closeIdleConnections();
          }),
      });
    });
  });
}
