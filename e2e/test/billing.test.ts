/**
 * billing as the platform starts it, beside identity and tenancy, talking only through Kafka: an
 * organization created at tenancy gets its 14-day professional trial at billing; tenancy's traits and
 * seat limit follow billing's events; an upgrade reaches tenancy the same way; and one organization's
 * owner cannot read another's subscription.
 */
import { uniqueName, waitFor } from "@platform/testkit";
import { billingUrl, call, ensureRunning, organizationOf, signUp, tenancyUrl } from "./support/platform";

beforeAll(async () => {
  await ensureRunning("identity", "tenancy", "billing");
});

const DAY_MS = 86_400_000;

async function newOrganization(name: string) {
  const owner = await signUp(`${uniqueName("billing-owner")}@example.com`);
  return organizationOf(owner, name);
}

/** The organization's subscription at billing, once billing has read tenancy's OrganizationCreated. */
function subscriptionOf(accountId: string, token: string) {
  return waitFor(
    async () => {
      const res = await call(billingUrl, "GET", `/v1/organizations/${accountId}/subscription`, { token });
      return res.status === 200 ? res.body : undefined;
    },
    { timeoutMs: 60_000, what: "billing to start the organization's trial" },
  );
}

function traitsWhen(accountId: string, token: string, ready: (traits: Record<string, unknown>) => boolean) {
  return waitFor(
    async () => {
      const res = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}/traits`, { token });
      return res.status === 200 && ready(res.body) ? res.body : undefined;
    },
    { timeoutMs: 60_000, what: "tenancy's traits to follow billing" },
  );
}

it("starts a professional trial for a new organization, and tenancy's plan and seats follow it", async () => {
  const { accountId, token } = await newOrganization("E2E Billing Trial");
  const subscription = await subscriptionOf(accountId, token);
  expect(subscription).toMatchObject({ account_id: accountId, status: "trialing", interval: "month" });
  expect(subscription.plan.plan_id).toBe("professional");
  const trialDays =
    (Date.parse(subscription.trial_end) - Date.parse(subscription.current_period_start)) / DAY_MS;
  expect(trialDays).toBe(14);

  const traits = await traitsWhen(accountId, token, (t) => t.plan === "professional");
  expect(traits).toMatchObject({ plan: "professional", seat_limit: 25, billing_cycle: "monthly" });
});

it("carries an upgrade to tenancy through billing.events", async () => {
  const { accountId, token } = await newOrganization("E2E Billing Upgrade");
  await subscriptionOf(accountId, token);
  const upgraded = await call(billingUrl, "POST", `/v1/organizations/${accountId}/subscription/upgrade`, {
    token,
    body: { plan_id: "enterprise" },
  });
  expect([upgraded.status, upgraded.body.plan?.plan_id]).toEqual([200, "enterprise"]);
  const traits = await traitsWhen(accountId, token, (t) => t.plan === "enterprise");
  expect(traits.seat_limit).toBe(-1);
});

it("keeps one organization's subscription from another's owner, and refuses bad input with problem+json", async () => {
  const first = await newOrganization("E2E Billing First");
  const second = await newOrganization("E2E Billing Second");
  await subscriptionOf(first.accountId, first.token);

  const across = await call(billingUrl, "GET", `/v1/organizations/${first.accountId}/subscription`, {
    token: second.token,
  });
  expect([across.status, across.body.code]).toEqual([403, "account_mismatch"]);

  const unknown = await call(
    billingUrl,
    "POST",
    `/v1/organizations/${first.accountId}/subscription/upgrade`,
    {
      token: first.token,
      body: { plan_id: "platinum" },
    },
  );
  expect([unknown.status, unknown.headers.get("content-type"), unknown.body.code]).toEqual([
    400,
    expect.stringContaining("application/problem+json"),
    "unknown_plan",
  ]);
});
