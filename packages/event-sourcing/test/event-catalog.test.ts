import { RecordValidationError } from "@platform/messaging";
import { EventCatalog } from "../src";

const opened = {
  type: "record" as const,
  name: "AccountOpened",
  namespace: "platform.test",
  fields: [
    { name: "account_id", type: "string" },
    { name: "seats", type: ["null", "int"], default: null },
  ],
};

describe("EventCatalog", () => {
  const catalog = new EventCatalog([opened]);

  it("knows event types by their record full name", () => {
    expect(catalog.types).toEqual(["platform.test.AccountOpened"]);
    expect(catalog.get("platform.test.AccountOpened").schema).toBe(opened);
  });

  it("accepts a payload that matches the schema", () => {
    expect(() =>
      catalog.validate("platform.test.AccountOpened", { account_id: "a", seats: 3 }),
    ).not.toThrow();
    expect(() =>
      catalog.validate("platform.test.AccountOpened", { account_id: "a", seats: null }),
    ).not.toThrow();
  });

  it("names the offending field of a payload that does not", () => {
    expect(() => catalog.validate("platform.test.AccountOpened", { account_id: 7, seats: "x" })).toThrow(
      RecordValidationError,
    );
    try {
      catalog.validate("platform.test.AccountOpened", { account_id: 7, seats: null });
    } catch (error) {
      expect((error as RecordValidationError).details).toEqual({
        record: "platform.test.AccountOpened",
        paths: ["account_id"],
      });
      expect((error as RecordValidationError).code).toBe("event_payload_invalid");
    }
  });

  it("rejects unknown event types and duplicate definitions", () => {
    expect(() => catalog.validate("platform.test.Nope", {})).toThrow(/not in the catalog/);
    expect(() => new EventCatalog([opened, opened])).toThrow(/defined twice/);
  });
});
