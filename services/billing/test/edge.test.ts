/**
 * What no route of billing may answer with a 500: a NUL in a path parameter, the query or any string of
 * the body, and a malformed percent-escape in the path; a body that is not JSON answers 415. The routes
 * come from the router's own table, so a new route is walked without editing this file.
 */
import { routeTableOf } from "@platform/http";
import { edgeWalk } from "@platform/testkit";
import { type Harness, startBilling } from "./support/harness";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startBilling();
  const { accountId } = await h.organization("Edge");
  token = await h.token(accountId);
});
afterAll(() => h?.close());

edgeWalk({
  target: () => ({ url: h.url, token }),
  routes: () => routeTableOf(h.app),
  minRoutes: 8,
  malformedEscapes: ["%ZZ"],
  nulQuery: "?q=%00",
  nulBodies: [{ plan_id: "enterprise\u0000" }, { reason: "x", nested: { a: ["\u0000"] } }],
  notJson: { types: ["text/plain"], text: "a" },
});
