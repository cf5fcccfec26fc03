import { z } from "zod";
import { ConfigError, env, loadConfig, platformEnv } from "../src";

const schema = z.object({
  ...platformEnv({ defaultPort: 3001 }),
  SMTP_URL: env.url({ protocols: ["smtp", "smtps"] }),
});

const valid = {
  SERVICE_NAME: "tenancy",
  KAFKA_BROKERS: "kafka-1:9092, kafka-2:19092,[::1]:9093",
  SCHEMA_REGISTRY_URL: "http://registry:8081",
  DATABASE_URL: "postgresql://tenancy:secret@postgres:5432/tenancy",
  SMTP_URL: "smtp://mail:1025",
};

function problemsOf(env: Record<string, string | undefined>) {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("returns typed options, with defaults for what is unset", () => {
    const config = loadConfig(schema, { ...valid, UNRELATED: "ignored" });
    expect(config).toEqual({
      SERVICE_NAME: "tenancy",
      LOG_LEVEL: "info",
      PORT: 3001,
      KAFKA_BROKERS: ["kafka-1:9092", "kafka-2:19092", "[::1]:9093"],
      SCHEMA_REGISTRY_URL: "http://registry:8081",
      DATABASE_URL: "postgresql://tenancy:secret@postgres:5432/tenancy",
      REVOCATION_WINDOW_SECONDS: 3600,
      SMTP_URL: "smtp://mail:1025",
    });
    expect(config).not.toHaveProperty("UNRELATED");
    expect(config).not.toHaveProperty("KAFKA_CLIENT_ID");
  });

  it("parses set values over defaults", () => {
    const config = loadConfig(schema, {
      ...valid,
      PORT: "8080",
      LOG_LEVEL: "DEBUG",
      KAFKA_CLIENT_ID: "tenancy-1",
    });
    expect(config.PORT).toBe(8080);
    expect(config.LOG_LEVEL).toBe("debug");
    expect(config.KAFKA_CLIENT_ID).toBe("tenancy-1");
  });

  it("treats a blank value as unset: default applies, required is missing", () => {
    const config = loadConfig(schema, { ...valid, PORT: "", LOG_LEVEL: "  " });
    expect(config.PORT).toBe(3001);
    expect(config.LOG_LEVEL).toBe("info");
    expect(problemsOf({ ...valid, DATABASE_URL: "" }).problems).toEqual([
      { variable: "DATABASE_URL", message: "is missing" },
    ]);
  });

  it("names a missing variable", () => {
    const { problems, message } = problemsOf({ ...valid, KAFKA_BROKERS: undefined });
    expect(problems).toEqual([{ variable: "KAFKA_BROKERS", message: "is missing" }]);
    expect(message).toContain("KAFKA_BROKERS: is missing");
  });

  it.each([
    ["PORT", "0", "must be an integer from 1 to 65535"],
    ["PORT", "65536", "must be an integer from 1 to 65535"],
    ["PORT", "80.5", "must be an integer from 1 to 65535"],
    ["PORT", "http", "must be an integer from 1 to 65535"],
    ["LOG_LEVEL", "verbose", "must be one of fatal, error, warn, info, debug, trace, silent"],
    ["KAFKA_BROKERS", "kafka-1:9092,kafka-2", 'must be a comma-separated list of host:port (not "kafka-2")'],
    ["KAFKA_BROKERS", " , ", "must list at least one host:port"],
    ["KAFKA_BROKERS", "kafka:99999", 'must be a comma-separated list of host:port (not "kafka:99999")'],
    ["SCHEMA_REGISTRY_URL", "registry:8081", "must be a URL starting with http:// or https://"],
    ["SCHEMA_REGISTRY_URL", "ftp://registry", "must be a URL starting with http:// or https://"],
    ["DATABASE_URL", "mysql://db/x", "must be a URL starting with postgres:// or postgresql://"],
    [
      "SERVICE_NAME",
      "Tenancy Service",
      "must be lower-case letters, digits and dashes, starting with a letter",
    ],
  ])("reports %s=%j as invalid", (variable, value, message) => {
    expect(problemsOf({ ...valid, [variable]: value }).problems).toEqual([{ variable, message }]);
  });

  it("never echoes a value, which may hold a secret", () => {
    const { message } = problemsOf({ ...valid, DATABASE_URL: "mysql://root:hunter2@db/x" });
    expect(message).not.toContain("hunter2");
  });

  it("reports every problem at once, one variable per line", () => {
    const error = problemsOf({ PORT: "nope", SCHEMA_REGISTRY_URL: "not a url", KAFKA_BROKERS: "kafka:9092" });
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
      "DATABASE_URL",
      "PORT",
      "SCHEMA_REGISTRY_URL",
      "SERVICE_NAME",
      "SMTP_URL",
    ]);
    const lines = error.message.split("\n");
    expect(lines[0]).toBe("invalid configuration: 5 environment variables are missing or invalid");
    expect(lines.slice(1).sort()).toEqual([
      "  DATABASE_URL: is missing",
      "  PORT: must be an integer from 1 to 65535",
      "  SCHEMA_REGISTRY_URL: must be a URL starting with http:// or https://",
      "  SERVICE_NAME: is missing",
      "  SMTP_URL: is missing",
    ]);
  });
});

describe("env builders", () => {
  it("list splits, trims and drops empty entries", () => {
    expect(loadConfig(z.object({ TAGS: env.list() }), { TAGS: "a, b,,c " }).TAGS).toEqual(["a", "b", "c"]);
  });

  it("int honours its bounds and composes with default and optional", () => {
    const ints = z.object({
      TIMEOUT_MS: env.int({ min: 0 }).default(2000),
      RETRIES: env.int({ max: 10 }).optional(),
    });
    expect(loadConfig(ints, {})).toEqual({ TIMEOUT_MS: 2000 });
    expect(loadConfig(ints, { TIMEOUT_MS: "0", RETRIES: "-1" })).toEqual({ TIMEOUT_MS: 0, RETRIES: -1 });
    expect(() => loadConfig(ints, { TIMEOUT_MS: "-5" })).toThrow(
      "TIMEOUT_MS: must be an integer of at least 0",
    );
    expect(() => loadConfig(ints, { RETRIES: "11" })).toThrow("RETRIES: must be an integer of at most 10");
  });

  it("reads process.env by default", () => {
    const name = `CONFIG_TEST_${process.pid}`;
    process.env[name] = "from-process";
    try {
      expect(loadConfig(z.object({ [name]: env.string() }))[name]).toBe("from-process");
    } finally {
      delete process.env[name];
    }
  });
});
