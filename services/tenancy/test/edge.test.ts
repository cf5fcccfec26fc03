/**
 * What no route of tenancy may answer with a 500: a NUL in a path parameter, the query or any string
 * of the body, and a malformed percent-escape in the path; a body that is not JSON answers 415. The
 * routes come from the router's own table, so a new route is walked without editing this file.
 */
import { routeTableOf } from "@platform/http";
import { edgeWalk } from "@platform/testkit";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startTenancy();
  token = (await h.organization("Edge")).owner.token;
});
afterAll(() => h?.close());

edgeWalk({
  target: () => ({ url: h.url, token }),
  routes: () => routeTableOf(h.app),
  // More than 30 routes, more than 20 of them with a path parameter.
  minRoutes: 31,
  minRoutesWithParams: 21,
  malformedEscapes: ["%ZZ", "%E0%A4%A"],
  nulQuery: "?include_archived=%00",
  nulBodies: [
    { name: "Acme\u0000", email: "a@example.com" },
    { name: "ok", settings: { timezone: "UTC\u0000" }, address: { street: "1 Main\u0000" } },
    { user_id: "usr_1", role: "member", tags: ["ok", "\u0000"] },
    { "subj\u0000ect": "key with NUL" },
  ],
  notJson: { types: ["text/plain", "application/x-www-form-urlencoded", "application/xml"], text: "name=a" },
});
