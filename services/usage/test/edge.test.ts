/**
 * What no route of usage may answer with a 500: a NUL in a path parameter, the query or any string of
 * the body, and a malformed percent-escape in the path; a body that is not JSON answers 415. The routes
 * come from the router's own table, so a new route is walked without editing this file.
 */
import { routeTableOf } from "@platform/http";
import { edgeProbes, fill, WITH_BODY } from "@platform/testkit";
import { type Harness, startUsage } from "./support/harness";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startUsage();
  const { accountId } = await h.organization();
  token = await h.token(accountId);
});
afterAll(() => h?.close());

const { expectRefused } = edgeProbes(() => ({ url: h.url, token }));
const routes = () => routeTableOf(h.app);

it("walks every route of the route table", () => {
  expect(routes().length).toBeGreaterThanOrEqual(3);
});

it("a NUL or a malformed percent-escape in any path parameter → 400", async () => {
  for (const route of routes().filter((r) => r.path.includes(":"))) {
    await expectRefused(route, fill(route.path, "a%00b"), 400, "nul_character");
    await expectRefused(route, fill(route.path, "%ZZ"), 400, "malformed_path");
  }
});

it("a NUL in the query of any route → 400", async () => {
  for (const route of routes())
    await expectRefused(route, `${fill(route.path, "x")}?q=%00`, 400, "nul_character");
});

it("a NUL in any string of a body → 400, and a body that is not JSON → 415, on every route that takes one", async () => {
  for (const route of routes().filter((r) => WITH_BODY.has(r.method))) {
    for (const body of [
      { metric: "api_calls\u0000", quantity: 1, idempotency_key: "k" },
      { events: [{ metric: "api_calls", quantity: 1, idempotency_key: "k\u0000" }] },
    ])
      await expectRefused(route, fill(route.path, "x"), 400, "nul_character", {
        type: "application/json",
        text: JSON.stringify(body),
      });
    await expectRefused(route, fill(route.path, "x"), 415, "unsupported_media_type", {
      type: "text/plain",
      text: "a",
    });
  }
});
