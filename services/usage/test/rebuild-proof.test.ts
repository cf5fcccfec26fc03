/**
 * The rebuild proof for usage (docs/architecture.md, "The rebuild proof"): after usage reported over
 * HTTP and straight to usage.ingest (with repeats), tenancy's members and projects, a period closed with
 * a late event after it, a closed organization, a role from identity and an organization on billing's
 * test clock, every inline and async table is
 * emptied and rebuilt from usage.events, usage.ingest, billing.events, tenancy.events and identity.events,
 * and equals the live copy row by row (every tenant's rows, read past row-level security).
 */
import { BillingEvent, IdentityEvent, TenancyEvent } from "@platform/contracts";
import { privilegedUrlOf, proveRebuild } from "@platform/event-sourcing";
import { expectRebuiltEqual, infrastructure, rowsOf } from "@platform/testkit";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../src/tables";
import { type Harness, startUsage } from "./support/harness";

let h: Harness;
let adminUrl: string;

beforeAll(async () => {
  h = await startUsage();
  adminUrl = privilegedUrlOf(h.db.url, infrastructure().postgresAdminUrl);
  await scenarios();
  await h.service.settled();
}, 180_000);
afterAll(() => h?.close());

async function report(accountId: string, events: Record<string, unknown>[]): Promise<void> {
  const token = await h.apiKeyToken(accountId, ["usage.write"]);
  const res = await h.call("POST", `/v1/organizations/${accountId}/usage/batch`, { token, body: { events } });
  if (res.status !== 202) throw new Error(`batch: ${res.status} ${JSON.stringify(res.body)}`);
}

async function scenarios(): Promise<void> {
  const closing = await h.organization();
  const open = await h.organization();
  const events = Array.from({ length: 30 }, (_, i) => ({
    metric: ["api_calls", "storage_gb", "active_users"][i % 3],
    quantity: i + 1,
    idempotency_key: `k${i}`,
    dimensions: { user_id: `u${i % 4}` },
  }));
  await report(open.accountId, [...events, ...events.slice(0, 10)]);
  await report(closing.accountId, events.slice(0, 12));
  await h.publish("tenancy", TenancyEvent.MemberAdded, "membership:u1", {
    account_id: open.accountId,
    user_id: "u1",
    group_id: "g1",
    group_type: "account",
    role: "member",
    source: "invitation",
  });
  await h.publish("tenancy", TenancyEvent.GroupCreated, "p1", {
    account_id: open.accountId,
    group_id: "p1",
    group_type: "project",
    parent_group_id: "g1",
    ancestor_group_ids: ["g1"],
    name: "p1",
    allowed_roles: [],
    default_role: null,
  });
  // An organization on billing's test clock, its advance projected before its attachment; the clock stays
  // inside its period, so the wall clock's closing below leaves that period open.
  const clocked = await h.organization();
  await h.publish("billing", BillingEvent.TestClockAdvanced, "clock_rebuild", {
    account_id: clocked.accountId,
    test_clock_id: "clock_rebuild",
    previous_frozen_time: clocked.periodStart,
    frozen_time: clocked.periodStart + 86_400_000,
  });
  await h.publish("billing", BillingEvent.TestClockAttached, clocked.subscriptionId, {
    account_id: clocked.accountId,
    subscription_id: clocked.subscriptionId,
    test_clock_id: "clock_rebuild",
    frozen_time: clocked.periodStart,
  });
  await h.counted();

  // The first organization's period ends and closes; an event for it arrives late, on the topic.
  h.clock.advance(closing.periodEnd + 2 * 3_600_000 - h.clock.now().getTime());
  expect(await h.service.closeDuePeriods()).toBe(2);
  await h.service.reports.send([
    {
      account_id: closing.accountId,
      idempotency_key: "late",
      metric: "api_calls",
      quantity: 7,
      dimensions: {},
      source: null,
      subject: null,
      occurred_at: closing.periodEnd - 1,
      correction: null,
      actor: { type: "system", id: null, ip_address: null, user_agent: null },
    },
  ]);
  await h.publish("tenancy", TenancyEvent.OrganizationClosed, closing.accountId, {
    account_id: closing.accountId,
    previous_status: "created",
    status: "closed",
    reason: "moving on",
  });
  await h.publish("identity", IdentityEvent.RoleDefined, `role:${open.accountId}:meter`, {
    account_id: open.accountId,
    role: "meter",
    permissions: ["usage.write"],
    description: "reports usage",
  });
}

it("rebuilds every inline and async table from the logs, equal to the live copy, a day later", async () => {
  h.clock.advance(86_400_000);
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    unreplayedColumns: UNREPLAYED_COLUMNS,
    rebuild: () => h.service.rebuildAll(),
  });
  expectRebuiltEqual(report);
  expect(rowsOf(report, "usage_events")).toBe(43);
  expect(rowsOf(report, "closed_periods")).toBe(2);
});
