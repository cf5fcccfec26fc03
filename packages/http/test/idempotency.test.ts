/**
 * The pure half of the kit's idempotency keys: what "the same request" means. The database half
 * (replay, reuse, concurrency, expiry, tenants) is proven on a service's real table in
 * services/billing/test/idempotency.test.ts.
 */
import { canonicalJson, IdempotencyKeys } from "../src/idempotency";

describe("canonicalJson", () => {
  it("sorts object keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});

it("refuses to keep keys for less than 24 hours", () => {
  const db = { $transaction: async () => undefined } as never;
  expect(() => new IdempotencyKeys(db, { ttlMs: 3_600_000 })).toThrow(/24 hours/);
  expect(() => new IdempotencyKeys(db)).not.toThrow();
});
