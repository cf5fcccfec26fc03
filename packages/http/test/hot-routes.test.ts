/**
 * Hot routes over a real HTTP server: the same route served by the hot layer and by the router (two
 * apps) gives the same answer to every request below, well-formed or not; the hot layer really serves
 * the plain ones (express sets `req.route` only on the router's path) and declines the rest; gates run
 * before the body is read; the route table lists the route; request ids and the access line as usual.
 */
import { request } from "node:http";
import { PlatformError } from "@platform/errors";
import type { RequestHandler } from "express";
import { createHttpApp, HOT_BODY_MAX_BYTES, type HotRoute, routeTableOf } from "../src";
import { captureLogs, start, type TestServer } from "./helpers";

const PATH = "/v1/things/:thingId/check";

const refuseFlagged: RequestHandler = (req, _res, next) => {
  if (req.headers["x-refuse"] === "yes")
    throw new PlatformError("rate_limited", "rate_limited", "refused by the gate", {
      details: { retryAfterSeconds: 3 },
    });
  next();
};
const route: HotRoute = {
  method: "POST",
  path: PATH,
  gates: [refuseFlagged],
  handlers: [
    (req, _res, next) => {
      if (req.headers["x-forbid"] === "yes") next(new PlatformError("forbidden", "not_yours", "not yours"));
      else next();
    },
    async (req, res) => {
      if ((req.body as { boom?: boolean } | undefined)?.boom) throw new Error("handler failed");
      res.json({ thing: req.params.thingId, body: req.body ?? null, served: req.route ? "router" : "hot" });
    },
  ],
};

let hot: TestServer;
let ordinary: TestServer;
beforeAll(async () => {
  hot = await start({ hotRoutes: [route], routes: () => {} });
  ordinary = await start({
    gates: (router) => router.post(PATH, ...(route.gates ?? [])),
    routes: (router) => router.post(PATH, ...route.handlers),
  });
});
afterAll(async () => {
  await hot.serving.close();
  await ordinary.serving.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A raw request, so bodies, lengths and framing are exactly what the case says. */
function send(
  base: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    if (options.body !== undefined && !options.chunked)
      headers["content-length"] = String(Buffer.byteLength(options.body));
    const req = request(url, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} });
      });
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** What must not differ between the two paths: status, code, detail, the route's answer, Retry-After. */
function comparable({ status, headers, body }: Answer) {
  const { instance: _instance, served: _served, ...rest } = body;
  return { status, retryAfter: headers["retry-after"], type: headers["content-type"], body: rest };
}

const CASES: {
  name: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  chunked?: boolean;
  path2?: string;
  takenBy: "hot" | "router" | "error";
}[] = [
  { name: "a plain JSON body", body: '{"metric":"calls","quantity":2}', takenBy: "hot" },
  { name: "no body at all", takenBy: "hot" },
  {
    name: "JSON with a charset",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: "{}",
    takenBy: "hot",
  },
  { name: "malformed JSON", body: '{"metric":', takenBy: "error" },
  { name: "a JSON scalar at the top", body: "3", takenBy: "error" },
  { name: "NUL in the body", body: '{"metric":"a\\u0000b"}', takenBy: "error" },
  {
    name: "another media type (415)",
    headers: { "content-type": "text/plain" },
    body: "hello",
    takenBy: "error",
  },
  { name: "a chunked body", body: '{"metric":"calls"}', chunked: true, takenBy: "router" },
  { name: "a query string", path: "/v1/things/t1/check?x=1", body: "{}", takenBy: "router" },
  { name: "an escaped segment", path: "/v1/things/t%201/check", body: "{}", takenBy: "router" },
  {
    name: "a body over the hot limit",
    body: JSON.stringify({ pad: "x".repeat(HOT_BODY_MAX_BYTES) }),
    takenBy: "router",
  },
  {
    name: "a body over the app's limit (413)",
    body: JSON.stringify({ pad: "x".repeat(200 * 1024) }),
    takenBy: "error",
  },
  { name: "the gate's refusal", headers: { "x-refuse": "yes" }, body: '{"metric":', takenBy: "error" },
  { name: "a guard's refusal", headers: { "x-forbid": "yes" }, body: "{}", takenBy: "error" },
  { name: "the handler failing", body: '{"boom":true}', takenBy: "error" },
];

describe.each(CASES)("$name", ({ path = "/v1/things/t1/check", headers, body, chunked, takenBy }) => {
  it("gets the same answer from the hot layer as from the router", async () => {
    const viaHot = await send(hot.url, path, { headers, body, chunked });
    const viaRouter = await send(ordinary.url, path, { headers, body, chunked });
    expect(comparable(viaHot)).toEqual(comparable(viaRouter));
    if (takenBy === "error") expect(viaHot.status).toBeGreaterThanOrEqual(400);
    else {
      expect(viaHot.status).toBe(200);
      expect(viaHot.body.served).toBe(takenBy);
      expect(viaRouter.body.served).toBe("router");
    }
  });
});

it("runs the gates before reading the body: a refused request's malformed body is never parsed", async () => {
  const answer = await send(hot.url, "/v1/things/t1/check", {
    headers: { "x-refuse": "yes" },
    body: "{not json",
  });
  expect(answer.status).toBe(429);
  expect(answer.body.code).toBe("rate_limited");
  expect(answer.headers["retry-after"]).toBe("3");
});

it("answers a path it does not know as the app would (404), and other methods on its path too", async () => {
  const unknown = await send(hot.url, "/v1/things/t1/other", { body: "{}" });
  expect(unknown.status).toBe(404);
  expect(unknown.body.code).toBe("route_not_found");
  const get = await fetch(`${hot.url}/v1/things/t1/check`);
  expect(get.status).toBe(404);
});

it("lists the hot route in the app's route table", () => {
  const app = createHttpApp({ logger: captureLogs().logger, hotRoutes: [route], routes: () => {} });
  expect(routeTableOf(app)).toContainEqual({ method: "POST", path: PATH });
});

it("keeps the request id and writes the access line for a hot request", async () => {
  const answer = await send(hot.url, "/v1/things/t7/check", {
    headers: { "x-request-id": "hot-req-1" },
    body: "{}",
  });
  expect(answer.headers["x-request-id"]).toBe("hot-req-1");
  expect(answer.body.served).toBe("hot");
  await new Promise((resolve) => setImmediate(resolve));
  const line = hot.lines().find((entry) => entry.request_id === "hot-req-1");
  expect(line).toMatchObject({ msg: "request completed", res: { statusCode: 200 } });
});
