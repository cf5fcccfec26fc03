/**
 * An organization tenancy closed takes no billing change: every write route of billing's own route
 * table answers 409 organization_closed and changes nothing, reads still answer, and the scheduler
 * leaves its subscription alone (no trial end, no renewal).
 */
import { TenancyEvent } from "@platform/contracts";
import { routeTableOf } from "@platform/http";
import { expectClosedWritesRefused, waitFor } from "@platform/testkit";
import { type Harness, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling();
});
afterAll(() => h?.close());

it("refuses every write into a closed organization, still answers reads, and schedules nothing for it", async () => {
  const { accountId, subscription } = await h.organization("Closing");
  const open = await h.organization("Staying");
  await h.publish("tenancy", TenancyEvent.OrganizationClosed, accountId, {
    account_id: accountId,
    previous_status: "created",
    status: "closed",
    reason: "moving on",
  });
  await waitFor(() => h.service.closedAccounts.isClosed(accountId), {
    what: "billing to learn of the closing",
  });
  const token = await h.token(accountId);
  await expectClosedWritesRefused({
    routes: routeTableOf(h.app),
    accountId,
    minWrites: 6,
    send: (route, path) =>
      h.call(route.method, path, {
        token,
        body:
          route.method === "DELETE"
            ? undefined
            : { plan_id: "enterprise", interval: "year", payment_method_id: "pm_card_visa" },
      }),
  });
  expect((await h.call("GET", `/v1/organizations/${accountId}/subscription`, { token })).status).toBe(200);

  h.clock.advance(15 * 86_400_000);
  await h.service.runScheduler();
  expect((await h.service.subscriptions.get(accountId)).version).toBe(subscription.version);
  // The open organization's trial did end (no payment method): the scheduler ran.
  expect((await h.service.subscriptions.get(open.accountId)).status).toBe("ended");
});
