/**
 * Assertions every service's rebuild proof and closed-organization test make the same way. Typed by
 * shape (the event-sourcing kit's RebuildProofReport, the http kit's route table), so the testkit needs
 * neither package.
 */
import { Client } from "pg";
import { WITH_BODY } from "./edge";

/** The part of a rebuild proof's report (`proveRebuild`) these assertions read. */
export interface RebuildReportLike {
  equal: boolean;
  differences: readonly unknown[];
  proven: readonly { table: string; rows: number }[];
}

/**
 * The rebuilt copy equals the live one, and the scenarios reached every table the proof rebuilds:
 * none passes by being empty.
 */
export function expectRebuiltEqual(report: RebuildReportLike): void {
  expect(report.differences).toEqual([]);
  expect(report.equal).toBe(true);
  expect(report.proven.filter((entry) => entry.rows === 0)).toEqual([]);
}

/** How many rows the proof compared in `table` (0 when it did not prove it). */
export const rowsOf = (report: RebuildReportLike, table: string): number =>
  report.proven.find((entry) => entry.table === table)?.rows ?? 0;

/** Runs `work` on one connection to `url` (an admin url, past row-level security), closed after. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface ClosedWritesOptions {
  /** The router's own table (`routeTableOf(app)`): every write route under :accountId is tried. */
  routes: readonly { method: string; path: string }[];
  /** The closed organization. */
  accountId: string;
  /** At least this many write routes: a router that lost its routes would otherwise pass. */
  minWrites: number;
  /** Sends one write to `path` (the route's, with the organization filled in) with a body it would take. */
  send: (
    route: { method: string; path: string },
    path: string,
  ) => Promise<{ status: number; body: { code?: unknown } }>;
}

/** Every write route of a closed organization answers 409 organization_closed, whatever the route. */
export async function expectClosedWritesRefused(options: ClosedWritesOptions): Promise<void> {
  const writes = options.routes.filter(
    (route) => WITH_BODY.has(route.method) && route.path.includes(":accountId"),
  );
  expect(writes.length).toBeGreaterThanOrEqual(options.minWrites);
  for (const route of writes) {
    const answer = await options.send(route, route.path.replace(":accountId", options.accountId));
    const seen = { route: `${route.method} ${route.path}` };
    expect({ ...seen, status: answer.status, code: answer.body.code }).toEqual({
      ...seen,
      status: 409,
      code: "organization_closed",
    });
  }
}
