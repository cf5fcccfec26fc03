/**
 * usage's series and breakdown reads against the real broker and Postgres: events sent over HTTP,
 * counted, then read per hour and day with every aggregation, by dimension, and refused with stable
 * codes for bad parameters, other organizations and keys without usage.read.
 */
import { type Harness, type Organization, startUsage } from "./support/harness";

const HOUR = 3_600_000;
let h: Harness;
let org: Organization;
/** The first whole UTC hour of the organization's period: the events' buckets are known. */
let H: number;

beforeAll(async () => {
  h = await startUsage();
  org = await h.organization();
  H = Math.ceil(org.periodStart / HOUR) * HOUR;
  h.clock.advance(H + 3 * HOUR - h.clock.now().getTime());
  const event = (metric: string, quantity: number, at: number, dimensions?: Record<string, string>) => ({
    metric,
    quantity,
    idempotency_key: `${metric}-${at}-${quantity}`,
    timestamp: new Date(at).toISOString(),
    ...(dimensions ? { dimensions } : {}),
  });
  const res = await h.call("POST", `/v1/organizations/${org.accountId}/usage/batch`, {
    token: await h.apiKeyToken(org.accountId, ["usage.write"]),
    body: {
      events: [
        event("api_calls", 3, H + 10 * 60_000, { route: "a" }),
        event("api_calls", 4, H + 20 * 60_000, { route: "b" }),
        event("api_calls", 1, H + 30 * 60_000),
        event("api_calls", 5, H + 2 * HOUR + 5 * 60_000, { route: "a" }),
        event("peak_connections", 7, H + 10 * 60_000, { region: "eu" }),
        event("peak_connections", 9, H + 2 * HOUR, { region: "us" }),
        event("active_users", 1, H + 1, { user_id: "u1", region: "eu" }),
        event("active_users", 1, H + 2, { user_id: "u2", region: "eu" }),
        event("active_users", 1, H + 2 * HOUR, { user_id: "u1", region: "us" }),
        event("storage_gb", 3, H + 5 * 60_000),
        event("storage_gb", 8, H + 15 * 60_000),
      ],
    },
  });
  expect(res.status).toBe(202);
  await h.counted();
}, 120_000);
afterAll(() => h?.close());

async function get(path: string, token?: string) {
  return h.call("GET", `/v1/organizations/${org.accountId}/usage/${path}`, {
    token: token ?? (await h.apiKeyToken(org.accountId, ["usage.read"])),
  });
}

const values = (body: { points: { value: number | null }[] }) => body.points.map((p) => p.value);
const total = (body: { points: { value: number | null }[] }) =>
  body.points.reduce((sum, p) => sum + (p.value ?? 0), 0);

describe("GET …/usage/series", () => {
  it("gives one point per hour of [from, to) with the meter's aggregation, empty hours included", async () => {
    const range = `from=${H}&to=${new Date(H + 3 * HOUR).toISOString()}`;
    const sum = await get(`series?metric=api_calls&granularity=hour&${range}`);
    expect(sum.status).toBe(200);
    expect(sum.body).toMatchObject({
      metric: "api_calls",
      aggregation: "SUM",
      granularity: "hour",
      from: new Date(H).toISOString(),
      to: new Date(H + 3 * HOUR).toISOString(),
    });
    expect(sum.body.points.map((p: { start: string }) => p.start)).toEqual(
      [0, 1, 2].map((i) => new Date(H + i * HOUR).toISOString()),
    );
    expect(values(sum.body)).toEqual([8, 0, 5]);
    expect(values((await get(`series?metric=peak_connections&${range}`)).body)).toEqual([7, 0, 9]);
    expect(values((await get(`series?metric=active_users&${range}`)).body)).toEqual([2, 0, 1]);
    expect(values((await get(`series?metric=storage_gb&${range}`)).body)).toEqual([8, null, null]);
  });

  it("rounds the range out to whole UTC days and defaults to the last 30 days", async () => {
    const day = await get(`series?metric=api_calls&granularity=day&from=${H + 60_000}&to=${H + 3 * HOUR}`);
    expect(day.status).toBe(200);
    expect(new Date(day.body.from).getTime() % 86_400_000).toBe(0);
    expect(total(day.body)).toBe(13);
    const byDefault = await get("series?metric=api_calls&granularity=day");
    // The 30 days before now, rounded out to whole days: 31 buckets unless now is midnight.
    expect([30, 31]).toContain(byDefault.body.points.length);
    expect(total(byDefault.body)).toBe(13);
  });
});

describe("GET …/usage/breakdown", () => {
  it("aggregates by one dimension's values over the current period, largest first, events without it as null", async () => {
    const res = await get("breakdown?metric=api_calls&dimension=route");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      metric: "api_calls",
      dimension: "route",
      from: new Date(org.periodStart).toISOString(),
      to: new Date(org.periodEnd).toISOString(),
    });
    expect(res.body.values).toEqual([
      { value: "a", total: 8 },
      { value: "b", total: 4 },
      { value: null, total: 1 },
    ]);
    const unique = await get("breakdown?metric=active_users&dimension=region");
    expect(unique.body.values).toEqual([
      { value: "eu", total: 2 },
      { value: "us", total: 1 },
    ]);
    const inRange = await get(
      `breakdown?metric=peak_connections&dimension=region&from=${H + HOUR}&to=${H + 3 * HOUR}`,
    );
    expect(inRange.body.values).toEqual([{ value: "us", total: 9 }]);
  });
});

describe("refusals", () => {
  it.each([
    ["series?granularity=hour", "metric_required"],
    ["series?metric=teleports", "unknown_metric"],
    ["series?metric=users", "metric_not_reportable"],
    ["series?metric=api_calls&granularity=week", "invalid_granularity"],
    ["series?metric=api_calls&from=yesterday", "invalid_time"],
    ["series?metric=api_calls&from=2026-11-01", "invalid_time"],
    ["series?metric=api_calls&to=1&to=2", "invalid_time"],
    ["series?metric=api_calls&from=1780000000000&to=1780000000000", "invalid_range"],
    [
      "series?metric=api_calls&granularity=hour&from=2026-10-01T00:00:00Z&to=2026-11-10T00:00:00Z",
      "range_too_large",
    ],
    ["breakdown?metric=api_calls", "dimension_required"],
    ["breakdown?metric=api_calls&dimension=a%20b", "invalid_dimension"],
    ["breakdown?dimension=route", "metric_required"],
  ])("%s → 400 %s", async (path, code) => {
    const res = await get(path);
    expect([res.status, res.body.code]).toEqual([400, code]);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("another organization's token → 403 account_mismatch; a key without usage.read → 403; no token → 401", async () => {
    const other = await h.organization();
    const mismatch = await get(
      "series?metric=api_calls",
      await h.apiKeyToken(other.accountId, ["usage.read"]),
    );
    expect([mismatch.status, mismatch.body.code]).toEqual([403, "account_mismatch"]);
    const writeOnly = await get(
      "breakdown?metric=api_calls&dimension=route",
      await h.apiKeyToken(org.accountId, ["usage.write"]),
    );
    expect([writeOnly.status, writeOnly.body.code]).toEqual([403, "permission_denied"]);
    const anonymous = await h.call("GET", `/v1/organizations/${org.accountId}/usage/series?metric=api_calls`);
    expect(anonymous.status).toBe(401);
  });
});
