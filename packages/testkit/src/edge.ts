/**
 * The probes of a service's edge test (test/edge.test.ts): what no route may answer with a 500 — a NUL
 * or a malformed escape in the path, a NUL in the query or the body, a body that is not JSON — each
 * answered with the http kit's problem+json and a stable code.
 */

/** The methods whose routes read a body. */
export const WITH_BODY: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** A route table path with every parameter (`:name`) replaced by `value`. */
export const fill = (path: string, value: string): string => path.replace(/:[A-Za-z_]+/g, value);

export interface EdgeTarget {
  /** Where the service listens. */
  url: string;
  /** An access token the routes accept, so what answers is the edge and not the guard. */
  token: string;
}

/**
 * `expectRefused(route, target, status, code, body?)`: the route answers `status` as problem+json with
 * `code`. `target` is read when a probe runs, so it may name what `beforeAll` starts.
 */
export function edgeProbes(target: () => EdgeTarget) {
  return {
    async expectRefused(
      route: { method: string; path: string },
      path: string,
      status: number,
      code: string,
      body?: { type: string; text: string },
    ): Promise<void> {
      const { url, token } = target();
      const response = await fetch(url + path, {
        method: route.method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": body.type } : {}) },
        body: body?.text,
      });
      const text = await response.text();
      const seen = { route: `${route.method} ${route.path}`, body: text };
      expect({
        ...seen,
        status: response.status,
        type: response.headers.get("content-type"),
        code: JSON.parse(text).code,
      }).toEqual({ ...seen, status, type: "application/problem+json; charset=utf-8", code });
    },
  };
}

export interface EdgeWalkOptions {
  /** The running service and a token its routes accept; read when a probe runs (after `beforeAll`). */
  target: () => EdgeTarget;
  /** The router's own table (`routeTableOf(app)`), so a new route is walked without editing the test. */
  routes: () => readonly { method: string; path: string }[];
  /** At least this many routes: a router that lost its routes would otherwise pass an empty walk. */
  minRoutes: number;
  /** At least this many routes with a path parameter, when the service has enough to say so. */
  minRoutesWithParams?: number;
  /** Malformed percent-escapes put in every path parameter (each → 400 malformed_path). */
  malformedEscapes: readonly string[];
  /** A query with a NUL in it, e.g. `?q=%00`, in the names the service's routes read. */
  nulQuery: string;
  /** JSON bodies each with a NUL somewhere in a string, in the shapes the service's routes read. */
  nulBodies: readonly unknown[];
  /** Content types that are not JSON, and the text sent with them (each → 415). */
  notJson: { types: readonly string[]; text: string };
}

/**
 * Registers the walk of a service's test/edge.test.ts over every route of its route table: a NUL or a
 * malformed escape in a path parameter, a NUL in the query or in a body's string → 400; a body that is
 * not JSON → 415. Call it at the file's top level, after the `beforeAll` that starts the service.
 */
export function edgeWalk(options: EdgeWalkOptions): void {
  const { expectRefused } = edgeProbes(options.target);
  const { routes } = options;
  const withBody = () => routes().filter((route) => WITH_BODY.has(route.method));

  it("walks every route of the route table", () => {
    expect(routes().length).toBeGreaterThanOrEqual(options.minRoutes);
  });

  it("a NUL or a malformed percent-escape in any path parameter → 400", async () => {
    const withParams = routes().filter((route) => route.path.includes(":"));
    if (options.minRoutesWithParams !== undefined)
      expect(withParams.length).toBeGreaterThanOrEqual(options.minRoutesWithParams);
    for (const route of withParams) {
      await expectRefused(route, fill(route.path, "a%00b"), 400, "nul_character");
      for (const malformed of options.malformedEscapes)
        await expectRefused(route, fill(route.path, malformed), 400, "malformed_path");
    }
  });

  it("a NUL in the query of any route → 400", async () => {
    for (const route of routes())
      await expectRefused(route, `${fill(route.path, "x")}${options.nulQuery}`, 400, "nul_character");
  });

  it("a NUL in any string of a body, top-level or nested → 400, on every route that takes a body", async () => {
    for (const route of withBody())
      for (const body of options.nulBodies)
        await expectRefused(route, fill(route.path, "x"), 400, "nul_character", {
          type: "application/json",
          text: JSON.stringify(body),
        });
  });

  it("a body that is not JSON → 415 on every route that takes a body", async () => {
    for (const route of withBody())
      for (const type of options.notJson.types)
        await expectRefused(route, fill(route.path, "x"), 415, "unsupported_media_type", {
          type,
          text: options.notJson.text,
        });
  });
}
