import type { RequestHandler } from "express";

/** What a prom-client Registry offers, written structurally so this package needs no prom-client. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** `GET /metrics`: the registry's metrics in Prometheus' text format, for scrapers. */
export function metricsRoute(source: MetricsSource): RequestHandler {
  return async (_req, res) => {
    const text = await source.metrics();
    res.status(200).type(source.contentType).send(text);
  };
}
