/**
 * Amending (PUT …/usage/events/{key}) and voiding (POST …/usage/events/{key}/void) a counted event
 * within its open period, as correction records on usage.ingest: totals follow, repeats change nothing,
 * a rebuild gives the same totals, and a closed period refuses them (409 period_closed). Real broker,
 * registry and Postgres.
 */
import { UsageEvent } from "@platform/contracts";
import { type Harness, type Organization, startUsage } from "./support/harness";

let h: Harness;
let org: Organization;
beforeAll(async () => {
  h = await startUsage();
  org = await h.organization();
}, 120_000);
afterAll(() => h?.close());

const writer = () => h.apiKeyToken(org.accountId, ["usage.write"]);
const eventPath = (key: string) =>
  `/v1/organizations/${org.accountId}/usage/events/${encodeURIComponent(key)}`;
const amend = async (key: string, body: unknown, token?: string) =>
  h.call("PUT", eventPath(key), { token: token ?? (await writer()), body });
const voidIt = async (key: string) => h.call("POST", `${eventPath(key)}/void`, { token: await writer() });
const send = async (events: Record<string, unknown>[]) =>
  h.call("POST", `/v1/organizations/${org.accountId}/usage/batch`, {
    token: await writer(),
    body: { events },
  });

async function values(): Promise<Record<string, number>> {
  const res = await h.call("GET", `/v1/organizations/${org.accountId}/usage`, {
    token: await h.token(org.accountId),
  });
  return Object.fromEntries(
    (res.body.metrics as { metric: string; value: number }[]).map((m) => [m.metric, m.value]),
  );
}

const events = [
  { metric: "api_calls", quantity: 10, idempotency_key: "k1" },
  { metric: "api_calls", quantity: 5, idempotency_key: "k2" },
  { metric: "exports", quantity: 1, idempotency_key: "k3" },
];

it("amends and voids counted events by key; repeats and a rebuild keep the totals; refusals", async () => {
  expect((await send(events)).status).toBe(202);
  await h.counted();
  expect(await values()).toMatchObject({ api_calls: 15, exports: 1 });

  const amended = await amend("k1", { quantity: 4 });
  expect([amended.status, amended.body]).toEqual([
    202,
    { idempotency_key: "k1", action: "amend", metric: "api_calls", quantity: 4 },
  ]);
  expect((await amend("k1", { quantity: 4 })).status).toBe(202); // a retry sets the same quantity
  expect((await voidIt("k2")).status).toBe(202);
  expect((await voidIt("k3")).status).toBe(202);
  await h.counted();
  expect(await values()).toMatchObject({ api_calls: 4, exports: 0 });
  // The quota check's memory follows a run holding only corrections too.
  const check = await h.call("POST", `/v1/organizations/${org.accountId}/quotas/check`, {
    token: await writer(),
    body: { metric: "api_calls" },
  });
  expect([check.status, check.body.remaining]).toEqual([200, 10_000 - 4]);

  // The original bodies sent again: repeats, nothing changes (a voided key stays voided).
  expect((await send(events)).status).toBe(202);
  expect((await voidIt("k2")).status).toBe(202);
  await h.counted();
  expect(await values()).toMatchObject({ api_calls: 4, exports: 0 });

  const refused = async (res: { status: number; body: { code: string } }) => [res.status, res.body.code];
  expect(await refused(await amend("k2", { quantity: 1 }))).toEqual([409, "usage_event_voided"]);
  expect(await refused(await amend("nope", { quantity: 1 }))).toEqual([404, "usage_event_not_found"]);
  expect(await refused(await voidIt("nope"))).toEqual([404, "usage_event_not_found"]);
  expect(await refused(await amend("k1", { quantity: -1 }))).toEqual([400, "negative_quantity"]);
  expect(await refused(await amend("k1", { quantity: 1.5 }))).toEqual([400, "invalid_quantity"]);
  expect(await refused(await amend("k1", {}))).toEqual([400, "invalid_quantity"]);
  const other = await h.organization();
  const foreign = await amend("k1", { quantity: 1 }, await h.apiKeyToken(other.accountId, ["usage.write"]));
  expect(await refused(foreign)).toEqual([403, "account_mismatch"]);
  const readOnly = await amend("k1", { quantity: 1 }, await h.apiKeyToken(org.accountId, ["usage.read"]));
  expect(await refused(readOnly)).toEqual([403, "permission_denied"]);

  // The corrections are records on usage.ingest: a rebuild from offset 0 gives the same totals.
  await h.service.rebuildAll();
  expect(await values()).toMatchObject({ api_calls: 4, exports: 0 });

  // Once the period closed (with the corrected totals), its events are no longer corrected.
  h.clock.advance(org.periodEnd + 2 * 3_600_000 - h.clock.now().getTime());
  expect(await h.service.closeDuePeriods()).toBeGreaterThanOrEqual(1);
  const [closing] = await h.service.db.$queryRawUnsafe<{ payload: { totals: Record<string, number> } }[]>(
    "SELECT payload FROM platform_events WHERE tenant_id = $1 AND event_type = $2",
    org.accountId,
    UsageEvent.UsagePeriodClosed,
  );
  expect(closing?.payload.totals).toMatchObject({ api_calls: 4, exports: 0 });
  expect(await refused(await amend("k1", { quantity: 1 }))).toEqual([409, "period_closed"]);
  expect(await refused(await voidIt("k1"))).toEqual([409, "period_closed"]);
}, 120_000);
