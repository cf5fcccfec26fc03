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
