import { ConflictError, PlatformError, UnavailableError } from "@platform/errors";
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
    },
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

  it("a body that is not JSON at all is invalid, not a crash", async () => {
    const response = await post("/invitations", "email=a@example.com", { "content-type": "text/plain" });
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({ code: "invalid_request_body", errors: [{ path: "" }] });
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
