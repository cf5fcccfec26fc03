import type { Express, Router } from "express";

/** One route as the router knows it: the method and the path pattern with its `:params`. */
export interface RouteEntry {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

const ROUTE_TABLE = "platform.routeTable";

/**
 * The routes a router serves, read from the router itself (nested routers included, with their mount
 * path), so a test that walks "every route" follows the code instead of a list kept by hand.
 */
export function routesOf(router: Router, prefix = ""): RouteEntry[] {
  const entries: RouteEntry[] = [];
  for (const layer of (router as unknown as { stack: Layer[] }).stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== "_all")
          entries.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
      }
    } else if (layer.handle?.stack) {
      entries.push(...routesOf(layer.handle as unknown as Router, prefix + (layer.rawPath ?? "")));
    }
  }
  return entries;
}

/** Remembers the service's router on the app (createHttpApp does this) for routeTableOf. */
export function recordRouteTable(app: Express, router: Router): void {
  app.locals[ROUTE_TABLE] = router;
}

/** Every route a service built with createHttpApp serves, probes excluded. */
export function routeTableOf(app: Express): RouteEntry[] {
  const router = app.locals[ROUTE_TABLE] as Router | undefined;
  if (!router) throw new Error("routeTableOf: the app was not built by createHttpApp");
  return routesOf(router);
}
