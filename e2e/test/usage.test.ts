/**
 * usage as the platform starts it, beside identity, tenancy and billing, talking only through Kafka:
 * an organization's trial at billing gives usage its period and the plan's limits; an API key minted at
 * identity with usage.write reports usage (each key counted once, however often it is sent); the owner
 * reads it with limit and percentage; tenancy's owner membership is the users gauge; another
 * organization's key and a revoked key are refused.
 */
import { uniqueName, waitFor } from "@platform/testkit";
import {
  apiKeyOf,
  call,
  ensureRunning,
  identityUrl,
  organizationOf,
  signUp,
  usageUrl,
} from "./support/platform";

beforeAll(async () => {
  await ensureRunning("identity", "tenancy", "billing", "usage");
});

interface MetricUsage {
  metric: string;
  value: number;
  limit: number | null;
  percentage: number | null;
}

async function newOrganization(name: string) {
  const owner = await signUp(`${uniqueName("usage-owner")}@example.com`);
  return organizationOf(owner, name);
}

/** The organization's usage once usage knows its period (from billing's TrialStarted) and `ready` holds. */
function usageWhen(accountId: string, token: string, ready: (metrics: MetricUsage[]) => boolean) {
  return waitFor(
    async () => {
      const res = await call(usageUrl, "GET", `/v1/organizations/${accountId}/usage`, { token });
      return res.status === 200 && res.body.period && ready(res.body.metrics) ? res.body : undefined;
    },
    { timeoutMs: 60_000, what: "usage to show the organization's period and usage" },
  );
}

const metric = (metrics: MetricUsage[], name: string) => metrics.find((m) => m.metric === name);

it("meters an organization's API calls against its plan, counting each key once", async () => {
  const { accountId, token } = await newOrganization("E2E Usage");
  await usageWhen(accountId, token, () => true);
  const key = await apiKeyOf(accountId, token, ["usage.write"]);
  const events = Array.from({ length: 20 }, (_, i) => ({
    metric: "api_calls",
    quantity: 100,
    idempotency_key: `e2e-${i}`,
  }));
  for (const batch of [events, events.slice(5), events.slice(0, 10)]) {
    const res = await call(usageUrl, "POST", `/v1/organizations/${accountId}/usage/batch`, {
      token: key.token,
      body: { events: batch },
    });
    expect(res.status).toBe(202);
  }
  const usage = await usageWhen(accountId, token, (m) => metric(m, "api_calls")?.value === 2_000);
  expect(usage.period.status).toBe("open");
  const apiCalls = metric(usage.metrics, "api_calls");
  expect(apiCalls?.limit).toBeGreaterThan(0);
  expect(apiCalls?.percentage).toBe(Math.round((2_000 / (apiCalls?.limit ?? 1)) * 10_000) / 100);
  // The owner's membership, from tenancy's events.
  await usageWhen(accountId, token, (m) => metric(m, "users")?.value === 1);

  const other = await newOrganization("E2E Usage Other");
  const across = await call(usageUrl, "POST", `/v1/organizations/${other.accountId}/usage`, {
    token: key.token,
    body: { metric: "api_calls", quantity: 1, idempotency_key: "across" },
  });
  expect([across.status, across.body.code]).toEqual([403, "account_mismatch"]);

  const revoked = await call(identityUrl, "DELETE", `/v1/organizations/${accountId}/api-keys/${key.id}`, {
    token,
  });
  expect(revoked.status).toBe(204);
  await waitFor(
    async () => {
      const res = await call(usageUrl, "POST", `/v1/organizations/${accountId}/usage`, {
        token: key.token,
        body: { metric: "api_calls", quantity: 1, idempotency_key: "after-revoke" },
      });
      return res.status === 401 ? res : undefined;
    },
    { timeoutMs: 10_000, what: "usage to refuse the revoked key" },
  );
});
