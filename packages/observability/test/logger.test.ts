import { createLogger, injectTraceHeaders, type Logger, withConsumerSpan, withSpan } from "../src";
import { recordSpans } from "./tracing";

const exporter = recordSpans();

function capture(level?: string): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const logger = createLogger({
    name: "test-service",
    level,
    destination: { write: (line) => written.push(line) },
  });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes JSON lines with name, level label and ISO time, and no trace ids outside a span", () => {
    const { logger, lines } = capture();
    logger.info({ tenantId: "t1" }, "hello");
    const [line] = lines();
    expect(line).toMatchObject({ name: "test-service", level: "info", msg: "hello", tenantId: "t1" });
    expect(typeof line?.time === "string" && !Number.isNaN(Date.parse(line.time))).toBe(true);
    expect(line).not.toHaveProperty("trace_id");
  });

  it("stamps every line inside a span with that span's trace_id and span_id", async () => {
    const { logger, lines } = capture();
    const ids = await withSpan("handle", {}, (span) => {
      logger.info("inside");
      logger.child({ component: "child" }).warn("from a child logger");
      return span.spanContext();
    });
    logger.info("after");
    const [inside, child, after] = lines();
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(child).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId, component: "child" });
    expect(after).not.toHaveProperty("trace_id");
  });

  it("carries the producer's trace id into the consumer's log lines", async () => {
    const { logger, lines } = capture();
    const headers = await withSpan("command", {}, () => injectTraceHeaders({}));
    await withConsumerSpan("tenancy.events", headers, () => logger.info("projected"));
    const command = exporter.getFinishedSpans().find((span) => span.name === "command");
    expect(lines()[0]?.trace_id).toBe(command?.spanContext().traceId);
  });

  it("redacts secret fields at any depth", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: "p0",
        user: { email: "a@b.c", password: "p1" },
        req: { headers: { authorization: "Bearer t", cookie: "sid=1", "x-api-key": "k", accept: "json" } },
        res: { headers: { "set-cookie": ["sid=2"] } },
        sso: { oidc: { client: { clientSecret: "s", token: "t", nested: { apiKey: "k" } } } },
        keys: [{ apiKey: "in an array", name: "ci" }],
      },
      "login",
    );
    const serialized = JSON.stringify(lines()[0]);
    for (const secret of ["p0", "p1", "Bearer t", "sid=1", "sid=2", '"k"', '"s"', '"t"', "in an array"]) {
      expect(serialized).not.toContain(secret);
    }
    expect(lines()[0]).toMatchObject({
      password: "[REDACTED]",
      user: { email: "a@b.c", password: "[REDACTED]" },
      req: { headers: { authorization: "[REDACTED]", accept: "json" } },
      keys: [{ apiKey: "[REDACTED]", name: "ci" }],
    });
  });

  it("honours the level", () => {
    const { logger, lines } = capture("warn");
    logger.info("dropped");
    logger.warn("kept");
    expect(lines().map((line) => line.msg)).toEqual(["kept"]);
  });
});
