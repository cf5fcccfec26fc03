import { InfrastructureMissingError, infrastructure, missingInfrastructure, uniqueName } from "../src";

describe("infrastructure discovery", () => {
  it("names every missing variable and what to run", () => {
    expect(missingInfrastructure({ KAFKA_BROKERS: "localhost:9092" })).toEqual([
      "SCHEMA_REGISTRY_URL",
      "POSTGRES_ADMIN_URL",
    ]);
    expect(() => infrastructure({})).toThrow(InfrastructureMissingError);
    expect(() => infrastructure({})).toThrow(
      /KAFKA_BROKERS, SCHEMA_REGISTRY_URL, POSTGRES_ADMIN_URL are not set.*platform test/,
    );
  });

  it("parses a broker list", () => {
    const found = infrastructure({
      KAFKA_BROKERS: "a:1, b:2,",
      SCHEMA_REGISTRY_URL: "http://r",
      POSTGRES_ADMIN_URL: "postgresql://p",
    });
    expect(found.kafkaBrokers).toEqual(["a:1", "b:2"]);
  });

  it("makes names that do not collide", () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueName("Orders Topic")));
    expect(names.size).toBe(200);
    expect([...names][0]).toMatch(/^orders_topic_[a-z0-9]+_[0-9a-f]{6}$/);
  });
});
