/**
 * An organization tenancy closed reports no more usage: every write route of usage's own route table
 * answers 409 organization_closed and produces nothing, and its usage can still be read.
 */
import { TenancyEvent } from "@platform/contracts";
import { routeTableOf } from "@platform/http";
import { expectClosedWritesRefused, waitFor } from "@platform/testkit";
import { type Harness, startUsage } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startUsage();
});
afterAll(() => h?.close());

it("refuses every write into a closed organization and still answers reads", async () => {
  const { accountId } = await h.organization();
  await h.publish("tenancy", TenancyEvent.OrganizationClosed, accountId, {
    account_id: accountId,
    previous_status: "created",
    status: "closed",
    reason: "moving on",
  });
  await waitFor(() => h.service.closedAccounts.isClosed(accountId), {
    what: "usage to learn of the closing",
  });
  const token = await h.apiKeyToken(accountId, ["usage.write", "usage.read"]);
  const event = { metric: "api_calls", quantity: 1, idempotency_key: "after-close" };
  await expectClosedWritesRefused({
    routes: routeTableOf(h.app),
    accountId,
    minWrites: 2,
    send: (route, path) => h.call(route.method, path, { token, body: { ...event, events: [event] } }),
  });
  expect((await h.call("GET", `/v1/organizations/${accountId}/usage`, { token })).status).toBe(200);
  await h.counted();
  expect(await h.rows(accountId)).toEqual([]);
});
