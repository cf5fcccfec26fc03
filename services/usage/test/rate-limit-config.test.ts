/**
 * USAGE_RATE_LIMITS' per-second rates: the default derived from each window (twice its average rate,
 * rounded up), a plan's own, `false` for none, and a configuration that cannot be one refused at start.
 */
import { DEFAULT_RATE_LIMITS, loadUsageConfig } from "../src/config";
import { burstFor } from "../src/http/quota-routes";

const REQUIRED = {
  DATABASE_URL: "postgres://x",
  KAFKA_BROKERS: "localhost:1",
  SCHEMA_REGISTRY_URL: "http://x",
};
const configWith = (limits: unknown) =>
  loadUsageConfig({ ...REQUIRED, USAGE_RATE_LIMITS: JSON.stringify(limits) });

it.each([
  [
    { limit: 6_000, windowSeconds: 60 },
    { limit: 200, windowSeconds: 1 },
  ],
  [
    { limit: 600, windowSeconds: 60 },
    { limit: 20, windowSeconds: 1 },
  ],
  [
    { limit: 2_000, windowSeconds: 60 },
    { limit: 67, windowSeconds: 1 },
  ],
  // Less than one a second on average: at least 1.
  [
    { limit: 3, windowSeconds: 60 },
    { limit: 1, windowSeconds: 1 },
  ],
  // A window of a second, or one whose per-second rate would be its whole limit (2 in 2 s): nothing to add.
  [{ limit: 10, windowSeconds: 1 }, undefined],
  [{ limit: 2, windowSeconds: 2 }, undefined],
  [{ limit: 6_000, windowSeconds: 60, burst: false as const }, undefined],
  [{ limit: 6_000, windowSeconds: 60, burst: { limit: 50 } }, { limit: 50 }],
])("burstFor(%j) = %j", (window, burst) => {
  expect(burstFor(window)).toEqual(burst);
});

it("keeps the defaults' plans, each with a per-second rate of twice its average", () => {
  const { USAGE_RATE_LIMITS } = loadUsageConfig(REQUIRED);
  expect(USAGE_RATE_LIMITS).toEqual(DEFAULT_RATE_LIMITS);
  expect(burstFor(USAGE_RATE_LIMITS.professional?.check as never)).toEqual({
    limit: 2_000,
    windowSeconds: 1,
  });
});

it("takes a plan's own burst or false, and refuses one that is not a whole number of requests", () => {
  const window = { limit: 60, windowSeconds: 60 };
  const config = configWith({
    default: {
      ingest: { ...window, burst: false },
      check: { ...window, burst: { limit: 5, windowSeconds: 10 } },
    },
  });
  expect(config.USAGE_RATE_LIMITS.default?.ingest.burst).toBe(false);
  expect(config.USAGE_RATE_LIMITS.default?.check.burst).toEqual({ limit: 5, windowSeconds: 10 });
  expect(() =>
    configWith({ default: { ingest: window, check: { ...window, burst: { limit: 0 } } } }),
  ).toThrow(/USAGE_RATE_LIMITS/);
  expect(() => configWith({ default: { ingest: window, check: { ...window, burst: true } } })).toThrow(
    /USAGE_RATE_LIMITS/,
  );
});
