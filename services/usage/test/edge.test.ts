/**
 * What no route of usage may answer with a 500: a NUL in a path parameter, the query or any string of
 * the body, and a malformed percent-escape in the path; a body that is not JSON answers 415. The routes
 * come from the router's own table, so a new route is walked without editing this file.
 */
import { routeTableOf } from "@platform/http";
import { edgeWalk } from "@platform/testkit";
import { type Harness, startUsage } from "./support/harness";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startUsage();
  const { accountId } = await h.organization();
  token = await h.token(accountId);
});
afterAll(() => h?.close());

edgeWalk({
  target: () => ({ url: h.url, token }),
  routes: () => routeTableOf(h.app),
  minRoutes: 3,
  malformedEscapes: ["%ZZ"],
  nulQuery: "?q=%00",
  nulBodies: [
    { metric: "api_calls\u0000", quantity: 1, idempotency_key: "k" },
    { events: [{ metric: "api_calls", quantity: 1, idempotency_key: "k\u0000" }] },
  ],
  notJson: { types: ["text/plain"], text: "a" },
});
