/**
 * The per-tenant rate limiter over a real HTTP server: the draft's two fields on every answer (200,
 * 429, and an error the route itself throws), remaining counting down, one tenant's spent quota
 * leaving another's alone, a sane Retry-After, the window reopening, and policies per plan; a policy
 * with a short (burst) window under its long one: both listed, the nearer one reported, either refusing.
 */
import { Agent, type IncomingHttpHeaders, request } from "node:http";
import { NotFoundError } from "@platform/errors";
import { type RateLimitPolicy, tenantRateLimit } from "../src";
import { start, type TestServer } from "./helpers";

const PLANS: Record<string, RateLimitPolicy> = {
  starter: { name: "starter", limit: 3, windowSeconds: 60 },
  pro: { name: "pro", limit: 5, windowSeconds: 60 },
  burst: { name: "burst", limit: 2, windowSeconds: 1 },
  /** 4 a minute, at most 2 of them in any one second. */
  smooth: { name: "smooth", limit: 4, windowSeconds: 60, burst: { limit: 2 } },
  /** A minute that does not run out in a test, 2 a second. */
  spread: { name: "spread", limit: 1_000, windowSeconds: 60, burst: { limit: 2 } },
};
/** The tenant's plan is the first part of its id ("pro-acme"): what a real service would look up. */
const planOf = (tenant: string) => PLANS[tenant.split("-")[0] ?? ""] ?? { limit: 1, windowSeconds: 60 };

let server: TestServer;
beforeAll(async () => {
  server = await start({
    routes: (router) => {
      router.use(
        tenantRateLimit({ tenantOf: (req) => req.header("x-tenant") ?? undefined, policyFor: planOf }),
      );
      router.get("/things", (_req, res) => {
        res.json({ ok: true });
      });
      router.get("/missing", () => {
        throw new NotFoundError("thing_not_found", "no such thing");
      });
    },
  });
});
afterAll(() => server.serving.close());

let tenants = 0;
/** A tenant no other test has used: counters live as long as the server. */
const fresh = (plan: string) => `${plan}-${++tenants}`;

const call = (tenant: string | undefined, path = "/things") =>
  fetch(`${server.url}${path}`, { headers: tenant ? { "x-tenant": tenant } : {} });

/** `"pro";r=4;t=60` → { name, r, t } */
function rateLimit(res: Response): { name: string; r: number; t: number } {
  const value = res.headers.get("ratelimit") ?? "";
  const match = /^"([^"]*)";r=(\d+);t=(\d+)$/.exec(value);
  if (!match) throw new Error(`RateLimit field not in the draft's form: ${JSON.stringify(value)}`);
  return { name: match[1] as string, r: Number(match[2]), t: Number(match[3]) };
}

it("sends the policy and the remaining quota on every answer, counting down", async () => {
  const tenant = fresh("pro");
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await call(tenant);
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-policy")).toBe('"pro";q=5;w=60');
    const { name, r, t } = rateLimit(res);
    expect(name).toBe("pro");
    expect(t).toBeGreaterThanOrEqual(1);
    expect(t).toBeLessThanOrEqual(60);
    seen.push(r);
  }
  expect(seen).toEqual([4, 3, 2, 1, 0]);
});

it("answers 429 rate_limited with Retry-After and the same fields once the quota is spent", async () => {
  const tenant = fresh("starter");
  for (let i = 0; i < 3; i++) expect((await call(tenant)).status).toBe(200);
  const res = await call(tenant);
  expect(res.status).toBe(429);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: 429, code: "rate_limited", limit: 3, windowSeconds: 60 });
  expect(res.headers.get("ratelimit-policy")).toBe('"starter";q=3;w=60');
  const { r, t } = rateLimit(res);
  expect(r).toBe(0);
  // Retry-After: whole seconds, within the window, the same as the field's reset and the body's.
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(retryAfter).toBe(t);
  expect(body.retryAfterSeconds).toBe(retryAfter);
  // Still refused while the window lasts.
  expect((await call(tenant)).status).toBe(429);
});

it("keeps each tenant's quota its own: one spending all of it changes nothing for another", async () => {
  const greedy = fresh("starter");
  const quiet = fresh("starter");
  expect(rateLimit(await call(quiet)).r).toBe(2);
  for (let i = 0; i < 6; i++) await call(greedy);
  expect((await call(greedy)).status).toBe(429);
  const res = await call(quiet);
  expect(res.status).toBe(200);
  expect(rateLimit(res).r).toBe(1);
});

it("applies each tenant's plan, and sends the fields on errors the route answers too", async () => {
  const other = fresh("unknown");
  const res = await call(other, "/missing");
  expect(res.status).toBe(404);
  expect(res.headers.get("ratelimit-policy")).toBe('"default";q=1;w=60');
  expect(rateLimit(res)).toMatchObject({ name: "default", r: 0 });
  expect((await call(other)).status).toBe(429);
});

it("opens the window again once it has passed", async () => {
  const tenant = fresh("burst");
  await call(tenant);
  await call(tenant);
  const refused = await call(tenant);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get("retry-after"))).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const res = await call(tenant);
  expect(res.status).toBe(200);
  expect(rateLimit(res).r).toBe(1);
});

describe("a burst window under the long one", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("lists both windows, and reports the one nearest to refusal", async () => {
    const res = await call(fresh("smooth"));
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-policy")).toBe('"smooth";q=4;w=60, "smooth-burst";q=2;w=1');
    // 1 left of the second's 2, 3 of the minute's 4: the second's window is the nearer.
    expect(rateLimit(res)).toEqual({ name: "smooth-burst", r: 1, t: 1 });
  });

  it("refuses past the burst with Retry-After 1, spending nothing of the long window, and enforces the long one", async () => {
    const tenant = fresh("smooth");
    expect((await call(tenant)).status).toBe(200);
    expect((await call(tenant)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const refused = await call(tenant);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(rateLimit(refused)).toEqual({ name: "smooth-burst", r: 0, t: 1 });
      expect(refused.headers.get("ratelimit-policy")).toBe('"smooth";q=4;w=60, "smooth-burst";q=2;w=1');
      expect(await refused.json()).toMatchObject({
        code: "rate_limited",
        policy: "smooth-burst",
        limit: 2,
        windowSeconds: 1,
        retryAfterSeconds: 1,
      });
    }
    await sleep(1100);
    // The three refusals spent none of the minute: 2 of its 4 are left before this one, 1 after.
    const third = await call(tenant);
    expect(third.status).toBe(200);
    const nearest = rateLimit(third);
    // 1 left in both windows: the minute's, which resets later, is the nearer to a long refusal.
    expect(nearest).toMatchObject({ name: "smooth", r: 1 });
    expect(nearest.t).toBeGreaterThan(50);
    expect(rateLimit(await call(tenant))).toMatchObject({ name: "smooth", r: 0 });
    await sleep(1100);
    // A fresh second, but the minute is spent: refused by the long window, for the rest of it.
    const spent = await call(tenant);
    expect(spent.status).toBe(429);
    const retryAfter = Number(spent.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(50);
    expect(rateLimit(spent)).toEqual({ name: "smooth", r: 0, t: retryAfter });
    expect(await spent.json()).toMatchObject({ policy: "smooth", limit: 4, windowSeconds: 60 });
  });

  it.each([
    ["a burst window as long as the policy's", { limit: 2, windowSeconds: 60 }],
    ["a burst named as the policy", { limit: 2, name: "default" }],
    ["a burst limit of 0", { limit: 0 }],
  ])("refuses a policy with %s (500)", async (_what, burst) => {
    const broken = await start({
      routes: (router) => {
        router.use(
          tenantRateLimit({ tenantOf: () => "t", policyFor: () => ({ limit: 5, windowSeconds: 60, burst }) }),
        );
        router.get("/x", (_req, res) => {
          res.json({});
        });
      },
    });
    try {
      expect((await fetch(`${broken.url}/x`)).status).toBe(500);
    } finally {
      await broken.serving.close();
    }
  });
});

it("lets a request naming no tenant through unlimited and without the fields", async () => {
  for (let i = 0; i < 3; i++) {
    const res = await call(undefined);
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit")).toBeNull();
  }
});

it("refuses a policy it cannot state in the fields (500, not a silent limit)", async () => {
  const broken = await start({
    routes: (router) => {
      router.use(
        tenantRateLimit({ tenantOf: () => "t", policyFor: () => ({ limit: 0, windowSeconds: 60 }) }),
      );
      router.get("/x", (_req, res) => {
        res.json({});
      });
    },
  });
  try {
    const res = await fetch(`${broken.url}/x`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { code: string }).code).toBe("internal_error");
  } finally {
    await broken.serving.close();
  }
});

describe("the gate and the concurrency cap", () => {
  let gated: TestServer;
  const release: (() => void)[] = [];
  let spends = 0;
  beforeAll(async () => {
    const limiter = tenantRateLimit({
      tenantOf: (req) => req.header("x-tenant") ?? undefined,
      policyFor: (tenant) => {
        spends += 1;
        return planOf(tenant);
      },
      maxConcurrent: 2,
    });
    gated = await start({
      gates: (router) => {
        router.use(limiter.gate((req) => req.header("x-tenant") ?? undefined));
      },
      routes: (router) => {
        router.post("/things", limiter, (_req, res) => {
          res.json({ ok: true });
        });
        router.post("/slow", limiter, async (_req, res) => {
          await new Promise<void>((resolve) => release.push(resolve));
          res.json({ ok: true });
        });
      },
    });
  });
  afterAll(() => gated.serving.close());

  const post = (tenant: string, path = "/things", body = "{}") =>
    fetch(`${gated.url}${path}`, {
      method: "POST",
      headers: { "x-tenant": tenant, "content-type": "application/json" },
      body,
    });

  it("refuses a spent tenant before its body is read, with the limiter's fields, spending nothing", async () => {
    const tenant = fresh("starter");
    for (let i = 0; i < 3; i++) expect((await post(tenant)).status).toBe(200);
    expect((await post(tenant)).status).toBe(429);
    // A body that does not parse would be 400: the 429 shows the gate answered before the body reader.
    const res = await post(tenant, "/things", "{not json");
    expect(res.status).toBe(429);
    expect(((await res.json()) as { code: string }).code).toBe("rate_limited");
    expect(res.headers.get("ratelimit-policy")).toBe('"starter";q=3;w=60');
    expect(rateLimit(res).r).toBe(0);
    expect(Number(res.headers.get("retry-after"))).toBe(rateLimit(res).t);
    // Another tenant is not gated, and an unparsable body is its own 400.
    const other = await post(fresh("starter"), "/things", "{not json");
    expect(other.status).toBe(400);
  });

  it("lets a tenant through again once its window has passed", async () => {
    const tenant = fresh("burst");
    await post(tenant);
    await post(tenant);
    expect((await post(tenant)).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await post(tenant);
    expect(res.status).toBe(200);
    expect(rateLimit(res).r).toBe(1);
  });

  it("refuses a tenant whose burst is spent before its body is read, for the rest of that second", async () => {
    const tenant = fresh("smooth");
    await post(tenant);
    await post(tenant);
    expect((await post(tenant)).status).toBe(429);
    const before = spends;
    const res = await post(tenant, "/things", "{not json");
    expect(res.status).toBe(429);
    expect(spends).toBe(before + 1); // the gate asks the policy (a plan change goes on), spends nothing
    expect(res.headers.get("ratelimit-policy")).toBe('"smooth";q=4;w=60, "smooth-burst";q=2;w=1');
    expect(rateLimit(res)).toEqual({ name: "smooth-burst", r: 0, t: 1 });
    expect(res.headers.get("retry-after")).toBe("1");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await post(tenant);
    expect(again.status).toBe(200);
    // 1 left of both windows: neither refusal spent the minute's (it would be the minute's r=0 or a 429).
    expect(rateLimit(again)).toMatchObject({ name: "smooth", r: 1 });
  });

  it("keeps gating a spent long window when a later burst is spent too", async () => {
    const tenant = fresh("smooth");
    await post(tenant);
    await post(tenant);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await post(tenant);
    // The minute's last request also spends this second's burst: both spent, the minute's holds.
    await post(tenant);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await post(tenant, "/things", "{not json");
    expect(res.status).toBe(429);
    expect(rateLimit(res)).toMatchObject({ name: "smooth", r: 0 });
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(50);
  });

  it("caps one tenant's requests in progress and spends no quota on the refused one", async () => {
    const tenant = fresh("pro");
    const slow = [post(tenant, "/slow"), post(tenant, "/slow")];
    while (release.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const before = spends;
    const refused = await post(tenant);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { code: string }).code).toBe("concurrency_limited");
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(spends).toBe(before); // refused at the gate: the policy was not even asked
    // Another tenant is not held up by it.
    expect((await post(fresh("pro"))).status).toBe(200);
    for (const done of release.splice(0)) done();
    await Promise.all(slow);
    const res = await post(tenant);
    expect(res.status).toBe(200);
    expect(rateLimit(res).r).toBe(2); // of 5: the two slow ones and this one spent, the refusal did not
  });
});

describe("pausing a refused connection (pauseRefusedMs)", () => {
  /** Requests of each tenant the server parsed, counted before anything can refuse them. */
  const parsed = new Map<string, number>();
  const servers: TestServer[] = [];
  const serverPausing = async (pauseRefusedMs: number) => {
    const limiter = tenantRateLimit({
      tenantOf: (req) => req.header("x-tenant") ?? undefined,
      policyFor: planOf,
      pauseRefusedMs,
    });
    const server = await start({
      gates: (router) => {
        router.use((req, _res, next) => {
          const tenant = req.header("x-tenant") ?? "";
          parsed.set(tenant, (parsed.get(tenant) ?? 0) + 1);
          next();
        });
        router.use(limiter.gate((req) => req.header("x-tenant") ?? undefined));
      },
      routes: (router) => {
        router.post("/things", limiter, (req, res) => {
          res.json({ port: req.socket.remotePort });
        });
      },
    });
    servers.push(server);
    return server;
  };
  afterAll(() => Promise.all(servers.map((server) => server.serving.close())));

  /** One kept-alive connection (maxSockets 1), as a closed-loop client has. */
  const connection = () => new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (server: TestServer, agent: Agent, tenant: string) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: { port?: number; code?: string } }>(
      (resolve, reject) => {
        const req = request(
          `${server.url}/things`,
          { method: "POST", agent, headers: { "x-tenant": tenant, "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
            );
          },
        );
        req.on("error", reject);
        // The body a moment after the head, as over a real network: the gate refuses before it
        // arrives, and node then discards it unread (and resumes the socket, unless held).
        req.flushHeaders();
        setTimeout(() => req.end("{}"), 5);
      },
    );
  /** A closed loop on one connection for `ms`: the next request as soon as the answer is in. */
  const flood = async (server: TestServer, agent: Agent, tenant: string, ms: number) => {
    const statuses: number[] = [];
    const until = Date.now() + ms;
    const loop = async () => {
      while (Date.now() < until) statuses.push((await send(server, agent, tenant)).status);
    };
    await Promise.race([loop(), new Promise((resolve) => setTimeout(resolve, ms))]);
    return statuses;
  };

  it("parses none of a refused connection's requests while it is paused; without pausing, every one", async () => {
    const pausing = await serverPausing(30_000);
    const plain = await serverPausing(0);
    const [held, free] = [fresh("starter"), fresh("starter")];
    for (const [server, tenant] of [
      [pausing, held],
      [plain, free],
    ] as const) {
      const agent = connection();
      for (let i = 0; i < 3; i++) expect((await send(server, agent, tenant)).status).toBe(200);
      const before = parsed.get(tenant);
      const statuses = await flood(server, agent, tenant, 500);
      expect(statuses.every((status) => status === 429)).toBe(true);
      const during = (parsed.get(tenant) ?? 0) - (before ?? 0);
      if (server === pausing) {
        // The first 429, then its connection is not read: the next request waits unparsed in the kernel.
        expect(during).toBe(1);
        expect(statuses).toHaveLength(1);
      } else expect(during).toBeGreaterThan(1);
      agent.destroy();
    }
  });

  it("leaves other connections alone, of another tenant or of the refused one", async () => {
    const server = await serverPausing(30_000);
    const tenant = fresh("starter");
    const flooder = connection();
    for (let i = 0; i < 3; i++) await send(server, flooder, tenant);
    expect((await send(server, flooder, tenant)).status).toBe(429);
    const waiting = send(server, flooder, tenant).catch(() => undefined); // held until the server closes
    const other = await send(server, connection(), fresh("starter"));
    expect(other.status).toBe(200);
    // The same tenant on a connection of its own is read (and refused, with every field).
    const again = await send(server, connection(), tenant);
    expect(again.status).toBe(429);
    expect(again.headers["ratelimit-policy"]).toBe('"starter";q=3;w=60');
    expect(again.headers.ratelimit).toMatch(/^"starter";r=0;t=\d+$/);
    expect(Number(again.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    flooder.destroy();
    await waiting;
  });

  it("reads the connection again after the pause: its queued request is answered, with every field", async () => {
    const server = await serverPausing(200);
    const tenant = fresh("starter");
    const agent = connection();
    const { body } = await send(server, agent, tenant);
    for (let i = 0; i < 2; i++) await send(server, agent, tenant);
    expect((await send(server, agent, tenant)).status).toBe(429);
    const before = parsed.get(tenant);
    const next = await send(server, agent, tenant);
    expect(parsed.get(tenant)).toBe((before ?? 0) + 1);
    expect(next.status).toBe(429);
    expect(next.body.code).toBe("rate_limited");
    expect(next.headers["ratelimit-policy"]).toBe('"starter";q=3;w=60');
    expect(next.headers.ratelimit).toMatch(/^"starter";r=0;t=\d+$/);
    expect(next.headers["retry-after"]).toBeDefined();
    // Still the same kept-alive connection, resumed rather than replaced.
    const third = await send(server, agent, fresh("pro"));
    expect(third.body.port).toBe(body.port);
    agent.destroy();
  });

  it("holds connections refused by a burst until it reopens, then lets them back spread over the next second", async () => {
    const server = await serverPausing(2_000);
    const tenant = fresh("spread");
    const agents = Array.from({ length: 8 }, connection);
    const opened = Date.now();
    for (let i = 0; i < 2; i++) expect((await send(server, agents[0] as Agent, tenant)).status).toBe(200);
    const refusals = await Promise.all(agents.map((agent) => send(server, agent, tenant)));
    expect(refusals.map((r) => r.status)).toEqual(agents.map(() => 429));
    expect(refusals.map((r) => r.headers["retry-after"])).toEqual(agents.map(() => "1"));
    const refused = Date.now();
    // Each connection's next request waits unparsed until its pause ends: the answer's time is the pause's.
    const back = await Promise.all(agents.map((agent) => send(server, agent, tenant).then(() => Date.now())));
    // Not before the burst's second is over, nor later than the pause's bound.
    for (const at of back) {
      expect(at - opened).toBeGreaterThanOrEqual(950);
      expect(at - refused).toBeLessThanOrEqual(2_500);
    }
    // Spread over the next second (uniformly: 8 landing within 200 ms of each other has odds of ~1e-4),
    // not all at its start as a pause of the Retry-After's whole second would have them.
    expect(Math.max(...back) - Math.min(...back)).toBeGreaterThan(200);
    for (const agent of agents) agent.destroy();
  });

  it("refuses a negative or fractional pause", () => {
    expect(() => tenantRateLimit({ tenantOf: () => "t", policyFor: planOf, pauseRefusedMs: -1 })).toThrow(
      /pauseRefusedMs/,
    );
    expect(() => tenantRateLimit({ tenantOf: () => "t", policyFor: planOf, pauseRefusedMs: 1.5 })).toThrow(
      /pauseRefusedMs/,
    );
  });
});
