import { ConfigError } from "@platform/config";
import { loadBillingConfig } from "../src/config";

const base = {
  DATABASE_URL: "postgresql://billing:billing@127.0.0.1:5432/billing",
  KAFKA_BROKERS: "localhost:9092",
  SCHEMA_REGISTRY_URL: "http://localhost:8081",
};

describe("BILLING_OPERATOR_TOKEN", () => {
  it("is optional: unset, nobody reaches the operator's routes", () => {
    expect(loadBillingConfig(base).BILLING_OPERATOR_TOKEN).toBeUndefined();
  });

  it("refuses a token shorter than 32 characters without repeating it", () => {
    const short = "op_short_secret_value";
    let error: unknown;
    try {
      loadBillingConfig({ ...base, BILLING_OPERATOR_TOKEN: short });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/BILLING_OPERATOR_TOKEN/);
    expect(String((error as Error).message)).not.toContain(short);
  });
});
