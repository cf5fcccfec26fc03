/**
 * What no route of identity may answer with a 500: a NUL in a path parameter, the query or any string
 * of the body, and a malformed percent-escape in the path; a body of a type the route does not read
 * answers 415. The routes come from the router's own table, so a new route is walked without editing
 * this file. Under /scim/v2 the answers are in SCIM's error format (RFC 7644 §3.12).
 */
import { routeTableOf } from "@platform/http";
import { fill, WITH_BODY } from "@platform/testkit";
import { type Harness, startIdentity } from "./support/harness";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startIdentity();
  const email = `edge.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const { body } = await h.call("POST", "/v1/users", { body: { email, password } });
  await h.addMember("org_edge", body.user_id, "owner");
  const session = await h.call("POST", "/v1/sessions", { body: { email, password, account_id: "org_edge" } });
  token = session.body.access_token;
});
afterAll(() => h.close());

const SCIM = "/scim/v2";

async function send(method: string, path: string, body?: { type: string; text: string }) {
  const response = await fetch(h.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": body.type } : {}) },
    body: body?.text,
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text };
}

/** The answer is a client error in the route's own error format, with the expected code. */
function expectRefused(
  route: { method: string; path: string },
  answer: Awaited<ReturnType<typeof send>>,
  status: number,
  code: string,
) {
  const seen = { route: `${route.method} ${route.path}`, status: answer.status, body: answer.text };
  const body = JSON.parse(answer.text);
  if (route.path.startsWith(SCIM)) {
    expect({ ...seen, type: answer.type, status: body.status }).toEqual({
      ...seen,
      type: "application/scim+json; charset=utf-8",
      status: String(status),
    });
    expect(body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
  } else {
    expect({ ...seen, type: answer.type, code: body.code }).toEqual({
      ...seen,
      status,
      type: "application/problem+json; charset=utf-8",
      code,
    });
  }
}

const routes = () => routeTableOf(h.app);

it("walks every route of the route table", () => {
  expect(routes().length).toBeGreaterThan(30);
  expect(routes().some((r) => r.path.startsWith(SCIM))).toBe(true);
});

it("a NUL or a malformed percent-escape in any path parameter → 400", async () => {
  const withParams = routes().filter((route) => route.path.includes(":"));
  expect(withParams.length).toBeGreaterThan(10);
  for (const route of withParams) {
    expectRefused(route, await send(route.method, fill(route.path, "a%00b")), 400, "nul_character");
    expectRefused(route, await send(route.method, fill(route.path, "%ZZ")), 400, "malformed_path");
    expectRefused(route, await send(route.method, fill(route.path, "%C3%28")), 400, "malformed_path");
  }
});

it("a NUL in the query of any route → 400", async () => {
  for (const route of routes()) {
    const answer = await send(route.method, `${fill(route.path, "x")}?filter=%00&limit=1`);
    expectRefused(route, answer, 400, "nul_character");
  }
});

it("a NUL in any string of a body, top-level or nested → 400, on every route that takes a body", async () => {
  const bodies = [
    { email: "nul\u0000@example.com", password: "correct horse battery staple" },
    { name: "ok", settings: { locale: "en\u0000" } },
    { scopes: ["ok", "projects.\u0000read"], Operations: [{ op: "add", value: { displayName: "\u0000" } }] },
    { userName: "ok", "na\u0000me": "key with NUL" },
  ];
  for (const route of routes().filter((r) => WITH_BODY.has(r.method))) {
    const type = route.path.includes("/sso/saml/") ? "application/x-www-form-urlencoded" : "application/json";
    for (const body of bodies) {
      const text =
        type === "application/json"
          ? JSON.stringify(body)
          : new URLSearchParams({ SAMLResponse: "x", RelayState: "\u0000" }).toString();
      expectRefused(
        route,
        await send(route.method, fill(route.path, "x"), { type, text }),
        400,
        "nul_character",
      );
    }
  }
});

it("a body of a type the route does not read → 415, SCIM's and JSON accepted under /scim/v2", async () => {
  for (const route of routes().filter((r) => WITH_BODY.has(r.method))) {
    const path = fill(route.path, "x");
    for (const type of ["text/plain", "application/xml", "multipart/form-data; boundary=x"])
      expectRefused(
        route,
        await send(route.method, path, { type, text: "email=a" }),
        415,
        "unsupported_media_type",
      );
  }
  const users = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ok@example.com" };
  for (const type of ["application/scim+json", "application/json"]) {
    const answer = await send("POST", `${SCIM}/Users`, { type, text: JSON.stringify(users) });
    // Read past the kit: the (wrong) bearer token is what SCIM refuses.
    expect([answer.status, JSON.parse(answer.text).status]).toEqual([401, "401"]);
  }
});
