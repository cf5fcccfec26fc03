import { PlatformError, UnavailableError } from "@platform/errors";
import { batchIntake, metricsRoute } from "../src";
import { start, type TestServer } from "./helpers";

let server: TestServer;
let accepted: unknown[][];
let acceptFailure: Error | undefined;

beforeAll(async () => {
  server = await start({
    routes: (router) => {
      router.post(
        "/facts",
        (req, _res, next) =>
          next(
            req.headers.authorization === "Bearer ok"
              ? undefined
              : new PlatformError("unauthenticated", "token_missing", "a bearer token is required"),
          ),
        batchIntake({
          field: "facts",
          maxItems: 3,
          validate: (items) =>
            items.flatMap((item, index) =>
              typeof (item as { n?: unknown }).n === "number"
                ? []
                : [{ index, path: "n", message: "must be a number" }],
            ),
          accept: async (items) => {
            if (acceptFailure) throw acceptFailure;
            accepted.push([...items]);
          },
        }),
      );
      router.get(
        "/metrics",
        metricsRoute({ contentType: "text/plain; version=0.0.4", metrics: async () => "up 1\n" }),
      );
    },
  });
});

afterAll(() => server.serving.close());

beforeEach(() => {
  accepted = [];
  acceptFailure = undefined;
});

const post = (body: unknown, authorization = "Bearer ok") =>
  fetch(`${server.url}/facts`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify(body),
  });

describe("batchIntake", () => {
  it("answers 202 with the count once accept resolved", async () => {
    const response = await post({ facts: [{ n: 1 }, { n: 2 }] });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2 });
    expect(accepted).toEqual([[{ n: 1 }, { n: 2 }]]);
  });

  it("refuses the whole batch naming every bad record and field; accept is not called", async () => {
    const response = await post({ facts: [{ n: 1 }, { n: "x" }, "scalar"] });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await response.json()) as { code: string; errors: unknown[]; detail: string };
    expect(problem.code).toBe("invalid_batch");
    // Shape errors first: a record that is not an object is not validated further.
    expect(problem.errors).toEqual([{ index: 2, path: "", message: "expected an object" }]);
    const second = (await (await post({ facts: [{ n: 1 }, { n: "x" }] })).json()) as { errors: unknown[] };
    expect(second.errors).toEqual([{ index: 1, path: "n", message: "must be a number" }]);
    expect(accepted).toEqual([]);
  });

  it("refuses a missing, empty or oversized batch", async () => {
    expect(((await (await post({})).json()) as { code: string }).code).toBe("invalid_batch");
    expect(((await (await post({ facts: [] })).json()) as { code: string }).code).toBe("invalid_batch");
    const tooMany = await post({ facts: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ code: "batch_too_large", maxItems: 3 });
    expect(accepted).toEqual([]);
  });

  it("runs after the route's guards: no token, no intake", async () => {
    const response = await post({ facts: [{ n: 1 }] }, "Bearer nope");
    expect(response.status).toBe(401);
    expect(accepted).toEqual([]);
  });

  it("answers the failure of accept (the broker down) as the error it is, not 202", async () => {
    acceptFailure = new UnavailableError("kafka_unavailable", "the broker did not acknowledge");
    const response = await post({ facts: [{ n: 1 }] });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe("kafka_unavailable");
  });
});

describe("metricsRoute", () => {
  it("serves the registry's text with its content type", async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    expect(await response.text()).toBe("up 1\n");
  });
});
