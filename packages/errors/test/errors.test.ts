import {
  ConcurrencyConflictError,
  describeError,
  httpStatusOf,
  InvalidInputError,
  isRetriable,
  NotFoundError,
  UnavailableError,
} from "../src";

describe("error classification", () => {
  it("maps each kind to one HTTP status", () => {
    expect(httpStatusOf(new InvalidInputError("bad_email", "email is malformed"))).toBe(400);
    expect(httpStatusOf(new NotFoundError("organization_not_found", "no such organization"))).toBe(404);
    expect(httpStatusOf(new ConcurrencyConflictError("agg-1", 3))).toBe(409);
    expect(httpStatusOf(new UnavailableError("kafka_down", "broker unreachable"))).toBe(503);
  });

  it("retries infrastructure failures and nothing else", () => {
    expect(isRetriable(new UnavailableError("db_down", "x"))).toBe(true);
    expect(isRetriable(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isRetriable(Object.assign(new Error("serialization"), { code: "40001" }))).toBe(true);
    expect(isRetriable(Object.assign(new Error("prisma"), { code: "P1001" }))).toBe(true);
    expect(isRetriable(new Error("wrapped", { cause: Object.assign(new Error(), { code: "57P01" }) }))).toBe(
      true,
    );

    const prismaRawQueryConflict = Object.assign(new Error("Raw query failed. Code: `40001`"), {
      code: "P2010",
      meta: { driverAdapterError: { cause: { originalCode: "40001", kind: "TransactionWriteConflict" } } },
    });
    expect(isRetriable(prismaRawQueryConflict)).toBe(true);

    expect(isRetriable(new InvalidInputError("bad", "x"))).toBe(false);
    expect(isRetriable(new TypeError("cannot read properties of undefined"))).toBe(false);
    expect(isRetriable(Object.assign(new Error("unique"), { code: "23505" }))).toBe(false);
  });

  it("describes errors without leaking structure", () => {
    expect(describeError(new ConcurrencyConflictError("agg-1", 3))).toMatch(
      /^concurrency_conflict: aggregate agg-1/,
    );
    expect(describeError("plain")).toBe("plain");
  });
});
