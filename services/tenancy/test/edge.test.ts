/**
 * What no route of tenancy may answer with a 500: a NUL in a path parameter, the query or any string
 * of the body, and a malformed percent-escape in the path; a body that is not JSON answers 415. The
 * routes come from the router's own table, so a new route is walked without editing this file.
 */
import { routeTableOf } from "@platform/http";
import { edgeProbes, fill, WITH_BODY } from "@platform/testkit";
import { type Harness, startTenancy } from "./support/harness";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startTenancy();
  token = (await h.organization("Edge")).owner.token;
});
afterAll(() => h.close());

const { expectRefused } = edgeProbes(() => ({ url: h.url, token }));
const routes = () => routeTableOf(h.app);

it("walks every route of the route table", () => {
  expect(routes().length).toBeGreaterThan(30);
});

it("a NUL or a malformed percent-escape in any path parameter → 400", async () => {
  const withParams = routes().filter((route) => route.path.includes(":"));
  expect(withParams.length).toBeGreaterThan(20);
  for (const route of withParams) {
    await expectRefused(route, fill(route.path, "a%00b"), 400, "nul_character");
    await expectRefused(route, fill(route.path, "%ZZ"), 400, "malformed_path");
    await expectRefused(route, fill(route.path, "%E0%A4%A"), 400, "malformed_path");
  }
});

it("a NUL in the query of any route → 400", async () => {
  for (const route of routes())
    await expectRefused(route, `${fill(route.path, "x")}?include_archived=%00`, 400, "nul_character");
});

it("a NUL in any string of a body, top-level or nested → 400, on every route that takes a body", async () => {
  const bodies = [
    { name: "Acme\u0000", email: "a@example.com" },
    { name: "ok", settings: { timezone: "UTC\u0000" }, address: { street: "1 Main\u0000" } },
    { user_id: "usr_1", role: "member", tags: ["ok", "\u0000"] },
    { "subj\u0000ect": "key with NUL" },
  ];
  for (const route of routes().filter((r) => WITH_BODY.has(r.method)))
    for (const body of bodies)
      await expectRefused(route, fill(route.path, "x"), 400, "nul_character", {
        type: "application/json",
        text: JSON.stringify(body),
      });
});

it("a body that is not JSON → 415 on every route that takes a body", async () => {
  for (const route of routes().filter((r) => WITH_BODY.has(r.method)))
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
      await expectRefused(route, fill(route.path, "x"), 415, "unsupported_media_type", {
        type,
        text: "name=a",
      });
});
