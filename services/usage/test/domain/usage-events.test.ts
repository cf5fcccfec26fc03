import { fingerprintOf, METERS, readUsageEvent } from "../../src/domain";

const now = Date.parse("2026-11-30T12:00:00Z");
const rules = { meters: METERS, now, maxFutureMs: 3_600_000 };
const read = (input: unknown) => readUsageEvent(input, rules);
const codes = (input: unknown) => read(input).problems.map((p) => [p.path, p.code]);

describe("readUsageEvent, plain form", () => {
  it("accepts an event, the time defaulting to now and the dimensions to none", () => {
    expect(read({ metric: "api_calls", quantity: 3, idempotency_key: "k" }).usage).toEqual({
      metric: "api_calls",
      quantity: 3,
      idempotencyKey: "k",
      occurredAt: now,
      dimensions: {},
      source: null,
      subject: null,
    });
  });

  it.each([
    ["ISO 8601", "2026-11-30T11:00:00Z", now - 3_600_000],
    ["ms since epoch", now - 5, now - 5],
    ["exactly 1 h ahead", now + 3_600_000, now + 3_600_000],
  ])("takes a timestamp as %s", (_what, timestamp, expected) => {
    expect(
      read({ metric: "api_calls", quantity: 1, idempotency_key: "k", timestamp }).usage?.occurredAt,
    ).toBe(expected);
  });

  it.each([
    [{ metric: "api_calls", quantity: -1, idempotency_key: "k" }, [["quantity", "negative_quantity"]]],
    [{ metric: "api_calls", quantity: "3", idempotency_key: "k" }, [["quantity", "invalid_quantity"]]],
    [{ metric: "api_calls", quantity: 2 ** 53, idempotency_key: "k" }, [["quantity", "invalid_quantity"]]],
    [{ metric: "api_calls", quantity: 1 }, [["idempotency_key", "idempotency_key_required"]]],
    [
      { metric: "api_calls", quantity: 1, idempotency_key: "k".repeat(256) },
      [["idempotency_key", "invalid_usage_event"]],
    ],
    [{ metric: "nope", quantity: 1, idempotency_key: "k" }, [["metric", "unknown_metric"]]],
    [{ metric: "projects", quantity: 1, idempotency_key: "k" }, [["metric", "metric_not_reportable"]]],
    [{ quantity: 1, idempotency_key: "k" }, [["metric", "invalid_usage_event"]]],
    [
      { metric: "api_calls", quantity: 1, idempotency_key: "k", timestamp: now + 3_600_001 },
      [["timestamp", "timestamp_in_future"]],
    ],
    [
      { metric: "api_calls", quantity: 1, idempotency_key: "k", timestamp: "soon" },
      [["timestamp", "invalid_timestamp"]],
    ],
    [
      { metric: "api_calls", quantity: 1, idempotency_key: "k", dimensions: { a: ["b"] } },
      [["dimensions", "invalid_dimensions"]],
    ],
    [
      { metric: "nope", quantity: -1 },
      [
        ["metric", "unknown_metric"],
        ["quantity", "negative_quantity"],
        ["idempotency_key", "idempotency_key_required"],
      ],
    ],
    [[1], [["", "invalid_usage_event"]]],
  ])("refuses %j with every problem's field and code", (input, expected) => {
    expect(codes(input)).toEqual(expected);
  });
});

describe("readUsageEvent, CloudEvents form", () => {
  const event = {
    specversion: "1.0",
    id: "e-1",
    source: "gateway",
    type: "api_calls",
    subject: "customer-7",
    time: "2026-11-30T11:59:00Z",
    data: { quantity: 4, route: "/v1/x", status: 200 },
  };

  it("reads type as the metric, source + id as the key, the rest of data as dimensions", () => {
    expect(read(event).usage).toEqual({
      metric: "api_calls",
      quantity: 4,
      idempotencyKey: '["gateway","e-1"]',
      occurredAt: now - 60_000,
      dimensions: { route: "/v1/x", status: "200" },
      source: "gateway",
      subject: "customer-7",
    });
  });

  it("takes data.value, else 1, as the quantity", () => {
    expect(read({ ...event, data: { value: 9 } }).usage?.quantity).toBe(9);
    expect(read({ ...event, data: undefined }).usage?.quantity).toBe(1);
  });

  it("keeps two sources' equal ids apart, whatever they contain", () => {
    const a = read({ ...event, source: "a:b", id: "c" }).usage?.idempotencyKey;
    const b = read({ ...event, source: "a", id: "b:c" }).usage?.idempotencyKey;
    expect(a).not.toBe(b);
  });

  it.each([
    [{ ...event, specversion: "0.3" }, [["specversion", "invalid_usage_event"]]],
    [{ ...event, source: undefined }, [["source", "idempotency_key_required"]]],
    [{ ...event, id: "" }, [["id", "idempotency_key_required"]]],
    [{ ...event, data: [1] }, [["data", "invalid_usage_event"]]],
    [{ ...event, data: { quantity: -2 } }, [["data.quantity", "negative_quantity"]]],
    [{ ...event, type: "teleports" }, [["type", "unknown_metric"]]],
  ])("refuses %j", (input, expected) => {
    expect(codes(input)).toEqual(expected);
  });
});

describe("fingerprintOf", () => {
  const usage = { metric: "api_calls", quantity: 1, dimensions: { b: "2", a: "1" }, subject: null };
  it("ignores the order of dimensions, and the time", () => {
    expect(fingerprintOf({ ...usage, dimensions: { a: "1", b: "2" } })).toBe(fingerprintOf(usage));
  });
  it.each([
    ["metric", { metric: "storage_gb" }],
    ["quantity", { quantity: 2 }],
    ["dimensions", { dimensions: { a: "1" } }],
    ["subject", { subject: "s" }],
  ])("changes with the %s", (_what, change) => {
    expect(fingerprintOf({ ...usage, ...change })).not.toBe(fingerprintOf(usage));
  });
});
