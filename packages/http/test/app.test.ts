import { get } from "node:http";
import { ConflictError, PlatformError, UnavailableError } from "@platform/errors";
import express from "express";
import { z } from "zod";
import { parseBody, requestIdOf } from "../src";
import { start, type TestServer } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const Invitation = z.object({
  email: z.email(),
  role: z.enum(["admin", "member"]),
  groups: z.array(z.string().min(1)).default([]),
});

let server: TestServer;
let readiness: { database: () => Promise<void>; kafka: () => Promise<void> };

beforeAll(async () => {
  readiness = { database: async () => undefined, kafka: async () => undefined };
  server = await start({
    bodyLimit: "1kb",
    readinessTimeoutMs: 100,
    readiness: [
      { name: "database", check: () => readiness.database() },
      { name: "kafka", check: () => readiness.kafka() },
    ],
    routes: (router) => {
      router.post("/invitations", (req, res) => {
        const invitation = parseBody(Invitation, req.body);
        req.log.info({ email: invitation.email }, "inviting");
        res.status(201).json({ ...invitation, requestId: requestIdOf(req) });
      });
      router.post("/members", () => {
        throw new ConflictError("email_taken", "a member with this email already exists", {
          details: { email: "a@example.com", status: 999 },
        });
      });
      router.get("/billing", async () => {
        await Promise.resolve();
        throw new UnavailableError("billing_unavailable", "billing is catching up; retry shortly");
      });
      router.get("/internal", () => {
        throw new PlatformError("internal", "projection_corrupt", "row 17 of projection x is corrupt");
      });
      router.get("/boom", async () => {
        throw new Error("password=hunter2 at db-7.internal");
      });
      router.get("/things/:id", (req, res) => {
        res.json({ id: req.params.id, query: req.query });
      });
      router.post("/things/:id/archive", (req, res) => {
        res.json({ body: req.body ?? null });
      });
      router.get("/go", (_req, res) => {
        res.redirect(302, "https://idp.example/authorize?client_id=c&state=st_secret");
      });
      router.post("/throttled", () => {
        throw new PlatformError("rate_limited", "sign_in_throttled", "too many", {
          details: { retryAfterSeconds: 42.2 },
        });
      });
      router.post("/form/acs", (req, res) => {
        res.json({ body: req.body });
      });
      const scim = express.Router();
      scim.post("/Users", (req, res) => {
        res.status(201).json(req.body);
      });
      router.use("/scim", scim);
    },
    bodies: [
      { path: "/form", types: ["application/x-www-form-urlencoded"], limit: "1kb" },
      { path: "/scim", types: ["application/scim+json", "application/json"], limit: "4kb" },
    ],
    problemFormats: [
      {
        path: "/scim",
        send: (res, problem) => {
          res
            .status(problem.status)
            .type("application/scim+json")
            .send(
              JSON.stringify({ status: String(problem.status), detail: problem.detail, code: problem.code }),
            );
        },
      },
    ],
  });
});

afterAll(() => server.serving.close());

async function problemOf(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
  const body = (await response.json()) as Record<string, unknown>;
  expect(body.instance).toBe(response.headers.get("x-request-id"));
  expect(body.type).toBe(`https://errors.saas-platform.dev/${String(body.code)}`);
  expect(body.status).toBe(response.status);
  return body;
}

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

describe("request ids", () => {
  it("generates a UUID, echoes it and logs it with the request", async () => {
    const response = await post("/invitations", JSON.stringify({ email: "a@example.com", role: "admin" }));
    expect(response.status).toBe(201);
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).toMatch(UUID);
    expect(((await response.json()) as { requestId: string }).requestId).toBe(id);
    const lines = server.lines().filter((line) => line.request_id === id);
    expect(lines.map((line) => line.msg)).toEqual(["inviting", "request completed"]);
    expect(lines[1]).toMatchObject({
      level: "info",
      res: { statusCode: 201 },
      req: { method: "POST", url: "/invitations" },
    });
  });

  it("keeps a sane incoming X-Request-Id", async () => {
    const response = await fetch(`${server.url}/healthz`, {
      headers: { "X-Request-Id": "edge-01HZX3.abc:7" },
    });
    expect(response.headers.get("x-request-id")).toBe("edge-01HZX3.abc:7");
  });

  it.each([["x".repeat(129)], ["has spaces"], ['quote"d'], ["<script>"]])(
    "replaces an incoming id like %j",
    async (incoming) => {
      const response = await fetch(`${server.url}/healthz`, { headers: { "X-Request-Id": incoming } });
      expect(response.headers.get("x-request-id")).toMatch(UUID);
    },
  );
});

describe("probes", () => {
  afterEach(() => {
    readiness.database = async () => undefined;
    readiness.kafka = async () => undefined;
  });

  it("healthz answers 200 without checking dependencies", async () => {
    readiness.database = () => Promise.reject(new Error("down"));
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("readyz answers 200 when every check passes", async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", checks: ["database", "kafka"] });
  });

  it("readyz answers 503 naming the failing and the hanging checks", async () => {
    readiness.database = () => Promise.reject(new Error("connection refused"));
    readiness.kafka = () => new Promise(() => undefined);
    const started = Date.now();
    const response = await fetch(`${server.url}/readyz`);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(503);
    const body = await problemOf(response);
    expect(body).toMatchObject({
      code: "not_ready",
      failing: ["database", "kafka"],
      detail: "not ready: database, kafka",
    });
    expect(JSON.stringify(body)).not.toContain("connection refused");
    const logged = server.lines().filter((line) => line.msg === "readiness check failed");
    expect(logged.map((line) => [line.check, line.error])).toEqual(
      expect.arrayContaining([
        ["database", "connection refused"],
        ["kafka", "timed out after 100 ms"],
      ]),
    );
  });

  it("probes are not logged as requests", async () => {
    const response = await fetch(`${server.url}/healthz`);
    const id = response.headers.get("x-request-id");
    expect(server.lines().filter((line) => line.request_id === id)).toEqual([]);
  });
});

describe("problem+json errors", () => {
  it("oversized body → 413 payload_too_large", async () => {
    const response = await post(
      "/invitations",
      JSON.stringify({ email: "a@example.com", pad: "x".repeat(2_000) }),
    );
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toMatchObject({
      code: "payload_too_large",
      title: "Payload Too Large",
      detail: "request body exceeds the limit of 1024 bytes",
    });
  });

  it("malformed JSON → 400 malformed_json", async () => {
    const response = await post("/invitations", '{"email": ');
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({
      code: "malformed_json",
      detail: "request body is not valid JSON",
    });
  });

  it("invalid body → 400 invalid_request_body listing every problem by path", async () => {
    const response = await post(
      "/invitations",
      JSON.stringify({ email: "nope", role: "owner", groups: [""] }),
    );
    expect(response.status).toBe(400);
    const body = await problemOf(response);
    expect(body).toMatchObject({ code: "invalid_request_body", detail: "request body is invalid" });
    expect((body.errors as { path: string }[]).map((error) => error.path)).toEqual([
      "email",
      "role",
      "groups.0",
    ]);
  });

  it("a body that is not JSON → 415 unsupported_media_type naming the accepted types", async () => {
    const response = await post("/invitations", "email=a@example.com", { "content-type": "text/plain" });
    expect(response.status).toBe(415);
    expect(await problemOf(response)).toMatchObject({
      code: "unsupported_media_type",
      title: "Unsupported Media Type",
      accepted: ["application/json"],
    });
  });

  it("PlatformError → status of its kind, its code, message and details (which cannot override members)", async () => {
    const response = await post("/members", "{}");
    expect(response.status).toBe(409);
    expect(await problemOf(response)).toEqual({
      type: "https://errors.saas-platform.dev/email_taken",
      title: "Conflict",
      status: 409,
      detail: "a member with this email already exists",
      code: "email_taken",
      instance: response.headers.get("x-request-id"),
      email: "a@example.com",
    });
  });

  it("a rejected async handler reaches the error handler", async () => {
    const response = await fetch(`${server.url}/billing`);
    expect(response.status).toBe(503);
    expect(await problemOf(response)).toMatchObject({ code: "billing_unavailable" });
  });

  it("unknown error → 500 internal_error; the message is logged, never sent", async () => {
    const response = await fetch(`${server.url}/boom`);
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("db-7");
    expect(await problemOf(response)).toMatchObject({
      code: "internal_error",
      detail: "An unexpected error occurred.",
    });
    const logged = server.lines().find((line) => line.request_id === response.headers.get("x-request-id"));
    expect(logged).toMatchObject({ level: "error", msg: "request errored", res: { statusCode: 500 } });
    const err = logged?.err as { message?: string; stack?: string } | undefined;
    expect(err?.message).toBe("password=hunter2 at db-7.internal");
    expect(err?.stack).toContain("app.test.ts");
  });

  it("an internal PlatformError keeps its code but not its message", async () => {
    const response = await fetch(`${server.url}/internal`);
    expect(response.status).toBe(500);
    expect(await problemOf(response)).toMatchObject({
      code: "projection_corrupt",
      detail: "An unexpected error occurred.",
    });
  });

  it("unknown route → 404 route_not_found", async () => {
    const response = await fetch(`${server.url}/nowhere?x=1`, { method: "DELETE" });
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({
      code: "route_not_found",
      detail: "no route for DELETE /nowhere",
    });
  });
});

describe("what a route never sees", () => {
  it.each([
    ["/things/%ZZ", "malformed_path"],
    ["/things/%E0%A4%A", "malformed_path"],
    ["/things/%C3%28", "malformed_path"],
    ["/things/a%00b", "nul_character"],
    ["/%00/things", "nul_character"],
    ["/things/1?q=%00", "nul_character"],
    ["/things/1?q=a&q=b%00", "nul_character"],
  ])("GET %s → 400 %s", async (path, code) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({ code });
  });

  it("a NUL in any string of the body, keys and nested values included → 400 nul_character", async () => {
    for (const [body, field] of [
      [{ email: "a\u0000@example.com" }, "body.email"],
      [{ groups: ["ok", "b\u0000"] }, "body.groups.1"],
      [{ a: { b: { "c\u0000": 1 } } }, "body.a.b.c\u0000"],
      [[{ x: "\u0000" }], "body.0.x"],
    ] as const) {
      const response = await post("/things/1/archive", JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(await problemOf(response)).toMatchObject({ code: "nul_character", field });
    }
  });

  it("a POST without a body needs no content-type; one with a body and none → 415", async () => {
    const empty = await fetch(`${server.url}/things/1/archive`, { method: "POST" });
    expect([empty.status, await empty.json()]).toEqual([200, { body: null }]);
    const untyped = await fetch(`${server.url}/things/1/archive`, {
      method: "POST",
      body: new Blob(['{"a":1}']),
    });
    expect(untyped.status).toBe(415);
    expect(await problemOf(untyped)).toMatchObject({ code: "unsupported_media_type" });
  });

  it("bodies: a form under its path, JSON refused there; SCIM's media type with its own limit and error format", async () => {
    const form = await post("/form/acs", "SAMLResponse=abc", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect([form.status, await form.json()]).toEqual([200, { body: { SAMLResponse: "abc" } }]);
    expect((await post("/form/acs", "{}")).status).toBe(415);

    const scim = await post("/scim/Users", JSON.stringify({ userName: "x".repeat(2_000) }), {
      "content-type": "application/scim+json",
    });
    expect(scim.status).toBe(201);
    const wrong = await post("/scim/Users", "userName=x", { "content-type": "text/plain" });
    expect(wrong.status).toBe(415);
    expect(wrong.headers.get("content-type")).toBe("application/scim+json; charset=utf-8");
    expect(await wrong.json()).toMatchObject({ status: "415", code: "unsupported_media_type" });
    const nul = await post("/scim/Users", JSON.stringify({ userName: "\u0000" }), {
      "content-type": "application/scim+json",
    });
    expect([nul.status, ((await nul.json()) as { code: string }).code]).toEqual([400, "nul_character"]);
  });

  it("a problem that says when to retry sets Retry-After (whole seconds, rounded up)", async () => {
    const response = await post("/throttled", "{}");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("43");
    expect(await problemOf(response)).toMatchObject({ code: "sign_in_throttled", retryAfterSeconds: 42.2 });
  });
});

describe("request logs keep secrets out", () => {
  it("logs query names but never their values, nor the query and params objects", async () => {
    const response = await fetch(`${server.url}/things/1?token=inv_1.s3cr3t&limit=5&flag`);
    const id = response.headers.get("x-request-id");
    const line = server.lines().find((l) => l.request_id === id && l.msg === "request completed");
    expect(line?.req).toMatchObject({ url: "/things/1?token=[REDACTED]&limit=[REDACTED]&flag=[REDACTED]" });
    expect(line?.req).not.toHaveProperty("query");
    expect(line?.req).not.toHaveProperty("params");
    expect(JSON.stringify(server.lines())).not.toContain("s3cr3t");
  });

  it("redacts the query of a redirect's Location", async () => {
    const response = await fetch(`${server.url}/go`, { redirect: "manual" });
    expect(response.status).toBe(302);
    const id = response.headers.get("x-request-id");
    const line = server.lines().find((l) => l.request_id === id && l.msg === "request completed");
    expect(line?.res).toMatchObject({
      headers: { location: "https://idp.example/authorize?client_id=[REDACTED]&state=[REDACTED]" },
    });
    expect(JSON.stringify(server.lines())).not.toContain("st_secret");
  });
});

function statusOf(path: string, ifNoneMatch: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(`${server.url}${path}`, { headers: { "if-none-match": ifNoneMatch } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on("error", reject);
  });
}

describe("ETags", () => {
  it("a GET answer carries express's weak ETag and answers 304 to it; a POST answer carries none", async () => {
    const first = await fetch(`${server.url}/things/7`);
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    // Not fetch: it adds `Cache-Control: no-cache` to a conditional request, which forbids a 304.
    expect(await statusOf("/things/7", tag as string)).toBe(304);
    expect(await statusOf("/things/8", tag as string)).toBe(200);
    const posted = await post("/things/7/archive", JSON.stringify({ a: 1 }));
    expect(posted.status).toBe(200);
    expect(posted.headers.get("etag")).toBeNull();
  });
});

describe("access log of quiet routes", () => {
  let quiet: TestServer;
  beforeAll(async () => {
    quiet = await start({
      accessLog: { quiet: (req) => req.path.startsWith("/hot"), slowMs: 60_000 },
      routes: (router) => {
        router.post("/hot", (req, res) => {
          req.log.info("in the route");
          res.json({ ok: true });
        });
        router.post("/hot/refused", () => {
          throw new ConflictError("nope", "refused");
        });
        router.post("/hot/broken", () => {
          throw new Error("broken");
        });
        router.post("/cold", (_req, res) => {
          res.json({ ok: true });
        });
      },
    });
  });
  afterAll(() => quiet.serving.close());

  const levelOf = async (path: string, on = quiet) => {
    const response = await fetch(`${on.url}${path}`, { method: "POST" });
    await response.arrayBuffer();
    const id = response.headers.get("x-request-id");
    // The line is written when the response closes, which may be just after the client has it.
    for (let i = 0; i < 50; i++) {
      const line = on.lines().find((l) => l.request_id === id && String(l.msg).startsWith("request "));
      if (line)
        return { level: line.level, msg: line.msg, lines: quiet.lines().filter((l) => l.request_id === id) };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no access line for ${path}`);
  };

  it("a quiet route's success is logged at debug, with req.log still carrying the request id", async () => {
    const { level, lines } = await levelOf("/hot");
    expect(level).toBe("debug");
    expect(lines.map((l) => l.msg)).toEqual(["in the route", "request completed"]);
  });

  it("a quiet route's refusal and failure are logged as always; other routes at info", async () => {
    expect((await levelOf("/hot/refused")).level).toBe("warn");
    expect(await levelOf("/hot/broken")).toMatchObject({ level: "error", msg: "request errored" });
    expect((await levelOf("/cold")).level).toBe("info");
  });

  it("a quiet route's answer slower than slowMs is logged at info", async () => {
    // slowMs 0: every answer is slow, without a timing the test would depend on.
    const slow = await start({
      accessLog: { quiet: () => true, slowMs: 0 },
      routes: (router) => router.post("/hot", (_req, res) => void res.json({ ok: true })),
    });
    try {
      expect((await levelOf("/hot", slow)).level).toBe("info");
    } finally {
      await slow.serving.close();
    }
  });
});
