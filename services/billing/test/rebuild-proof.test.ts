/**
 * The rebuild proof for billing (issue 10, item 3; docs/architecture.md, "The rebuild proof"): after
 * trials, a conversion, an upgrade, a scheduled downgrade, a switch to annual, a cancellation, a
 * closed organization and a role from identity, every inline and async table is emptied and rebuilt
 * from billing.events, tenancy.events and identity.events, and equals the live copy row by row (every
 * tenant's rows, read past row-level security on the administrator's connection).
 */
import { IdentityEvent, TenancyEvent } from "@platform/contracts";
import { privilegedUrlOf, proveRebuild } from "@platform/event-sourcing";
import { infrastructure } from "@platform/testkit";
import { TABLE_CLASSES, UNREPLAYED_COLUMNS } from "../src/tables";
import { type Harness, startBilling } from "./support/harness";

const DAY = 86_400_000;
let h: Harness;
let adminUrl: string;

beforeAll(async () => {
  h = await startBilling();
  adminUrl = privilegedUrlOf(h.db.url, infrastructure().postgresAdminUrl);
  await scenarios();
  await h.service.settled();
}, 180_000);
afterAll(() => h?.close());

async function ok(accountId: string, tail: string, body?: unknown): Promise<void> {
  const res = await h.call("POST", `/v1/organizations/${accountId}/subscription${tail}`, {
    token: await h.token(accountId),
    body,
  });
  if (res.status >= 300) throw new Error(`POST ${tail}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function scenarios(): Promise<void> {
  const converting = await h.organization("Converts Inc");
  await ok(converting.accountId, "/payment-method", { payment_method_id: "pm_card_visa" });
  const lapsing = await h.organization("Lapses Ltd");
  const switching = await h.organization("Switches Co");
  await ok(switching.accountId, "/payment-method", { payment_method_id: "pm_card_visa" });
  h.clock.advance(15 * DAY);
  await h.service.runScheduler(); // converts two trials, ends the one without a payment method
  await ok(converting.accountId, "/upgrade", { plan_id: "enterprise" });
  await ok(converting.accountId, "/downgrade", { plan_id: "starter" });
  await ok(switching.accountId, "/billing-cycle", { interval: "year" });
  await ok(switching.accountId, "/cancel", { at_period_end: true });
  expect((await h.service.subscriptions.get(lapsing.accountId)).status).toBe("ended");

  const closed = await h.organization("Closes GmbH");
  await h.publish("tenancy", TenancyEvent.OrganizationClosed, closed.accountId, {
    account_id: closed.accountId,
    previous_status: "created",
    status: "closed",
    reason: "moving on",
  });
  await h.publish("identity", IdentityEvent.RoleDefined, `role:${converting.accountId}:finance`, {
    account_id: converting.accountId,
    role: "finance",
    permissions: ["billing.read"],
    description: "reads invoices",
  });
}

it("rebuilds every inline and async table from the logs, equal to the live copy, a day later", async () => {
  h.clock.advance(DAY);
  const report = await proveRebuild({
    databaseUrl: adminUrl,
    classes: TABLE_CLASSES,
    unreplayedColumns: UNREPLAYED_COLUMNS,
    rebuild: () => h.service.rebuildAll(),
  });
  expect(report.differences).toEqual([]);
  expect(report.equal).toBe(true);
  // The scenarios reached every table the proof rebuilds: none passes by being empty.
  expect(report.proven.filter((entry) => entry.rows === 0)).toEqual([]);
  expect(report.proven.find((entry) => entry.table === "subscriptions")?.rows).toBe(4);
  // The revenue ledger: three trial outcomes, the upgrade, the switch to annual (the cancellation at the
  // period's end moves no MRR yet), so the metrics computed from it are rebuilt too.
  expect(report.proven.find((entry) => entry.table === "mrr_changes")?.rows).toBe(5);
});
