import {
  closedPeriodAt,
  countedAfterClose,
  MeterCatalog,
  percentageOf,
  periodStatus,
} from "../../src/domain";

describe("countedAfterClose", () => {
  const closed = [{ start: 100, end: 200, appliedOffsets: { "usage.ingest:0": 10, "usage.ingest:1": 0 } }];
  it.each([
    [
      "outside every closed period",
      { occurredAt: 200, topic: "usage.ingest", partition: 0, offset: 99 },
      true,
    ],
    [
      "in it, applied before the close",
      { occurredAt: 150, topic: "usage.ingest", partition: 0, offset: 9 },
      true,
    ],
    [
      "in it, at the close's offset",
      { occurredAt: 150, topic: "usage.ingest", partition: 0, offset: 10 },
      false,
    ],
    [
      "in it, on a partition the count had not read",
      { occurredAt: 100, topic: "usage.ingest", partition: 2, offset: 0 },
      false,
    ],
  ])("%s → %s", (_what, event, expected) => {
    expect(countedAfterClose(closed, event)).toBe(expected);
  });

  it("finds the closed period of a time, [start, end)", () => {
    expect(closedPeriodAt(closed, 100)).toBe(closed[0]);
    expect(closedPeriodAt(closed, 200)).toBeUndefined();
  });
});

describe("periodStatus", () => {
  it.each([
    [999, false, "open"],
    [1_000, false, "grace"],
    [1_099, false, "grace"],
    [1_100, false, "closed"],
    [500, true, "closed"],
  ] as const)("at %i (closed: %s) → %s", (now, closed, status) => {
    expect(periodStatus({ end: 1_000 }, now, 100, closed)).toBe(status);
  });
});

describe("percentageOf", () => {
  it.each([
    [50, 200, 25],
    [1, 3, 33.33],
    [5, -1, null],
    [5, null, null],
    [0, 0, 0],
    [1, 0, 100],
  ] as const)("%i of %s → %s", (value, limit, expected) => {
    expect(percentageOf(value, limit)).toBe(expected);
  });
});

describe("MeterCatalog", () => {
  it("refuses a UNIQUE_COUNT without its dimension, and a metric named twice", () => {
    expect(() =>
      MeterCatalog.parse({
        catalog_version: 1,
        meters: [{ metric: "x", aggregation: "UNIQUE_COUNT", description: "" }],
      }),
    ).toThrow(/value_dimension/);
    const meter = { metric: "x", aggregation: "SUM", description: "" };
    expect(() => MeterCatalog.parse({ catalog_version: 1, meters: [meter, meter] })).toThrow(/twice/);
  });
});
