/**
 * An organization tenancy closed reports no more usage: every write route of usage's own route table
 * answers 409 organization_closed and produces nothing, and its usage can still be read.
 */
import { TenancyEvent } from "@platform/contracts";
import { inTenant } from "@platform/database";
import { routeTableOf } from "@platform/http";
import { waitFor } from "@platform/testkit";
import { type Harness, startUsage } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startUsage();
});
afterAll(() => h?.close());

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

it("refuses every write into a closed organization and still answers reads", async () => {
  const { accountId } = await h.organization();
  await h.publish("tenancy", TenancyEvent.OrganizationClosed, accountId, {
    account_id: accountId,
    previous_status: "created",
    status: "closed",
    reason: "moving on",
  });
  await waitFor(
    () =>
      inTenant(h.service.db, accountId, (tx) => tx.closedAccount.findUnique({ where: { accountId } })).then(
        (row) => row ?? undefined,
      ),
    { what: "usage to learn of the closing" },
  );
  const token = await h.apiKeyToken(accountId, ["usage.write", "usage.read"]);
  const writes = routeTableOf(h.app).filter(
    (route) => WRITES.has(route.method) && route.path.includes(":accountId"),
  );
  expect(writes.length).toBeGreaterThanOrEqual(2);
  const event = { metric: "api_calls", quantity: 1, idempotency_key: "after-close" };
  for (const route of writes) {
    const answer = await h.call(route.method, route.path.replace(":accountId", accountId), {
      token,
      body: { ...event, events: [event] },
    });
    expect({ route: `${route.method} ${route.path}`, status: answer.status, code: answer.body.code }).toEqual(
      {
        route: `${route.method} ${route.path}`,
        status: 409,
        code: "organization_closed",
      },
    );
  }
  expect((await h.call("GET", `/v1/organizations/${accountId}/usage`, { token })).status).toBe(200);
  await h.counted();
  expect(await h.rows(accountId)).toEqual([]);
});
