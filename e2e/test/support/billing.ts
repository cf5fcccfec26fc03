import { waitFor } from "@platform/testkit";
import { billingUrl, call, tenancyUrl } from "./platform";

export const DAY_MS = 86_400_000;

/** One organization's billing routes, with its owner's token; a status other than 2xx fails the test. */
export function billingOf(accountId: string, token: string) {
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await call(billingUrl, method, `/v1/organizations/${accountId}${path}`, { token, body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    request,
    subscription: () => request("GET", "/subscription"),
    /** Every invoice with its lines, payments and credit notes (the list answers without them). */
    async invoices() {
      const list = await request("GET", "/invoices");
      return Promise.all(
        (list.data as { invoice_id: string }[]).map((i) => request("GET", `/invoices/${i.invoice_id}`)),
      );
    },
  };
}

/** The organization's trial at billing, once billing has read tenancy's OrganizationCreated. */
export function trialOf(accountId: string, token: string) {
  return waitFor(
    async () => {
      const res = await call(billingUrl, "GET", `/v1/organizations/${accountId}/subscription`, { token });
      return res.status === 200 ? res.body : undefined;
    },
    { timeoutMs: 60_000, what: "billing to start the organization's trial" },
  );
}

/**
 * The organization's subscription on a test clock (docs/billing.md, Test clocks): a clock created at the
 * trial's start and attached, so the test moves the subscription through months by advancing it. Needs
 * billing started with BILLING_TEST_CLOCKS=true, as `platform test` starts it.
 */
export async function onTestClock(accountId: string, token: string) {
  const billing = billingOf(accountId, token);
  const trial = await trialOf(accountId, token);
  const created = await call(billingUrl, "POST", `/v1/organizations/${accountId}/test-clocks`, {
    token,
    body: { frozen_time: trial.current_period_start, name: "e2e journey" },
  });
  if (created.status === 404)
    throw new Error(
      "billing serves no test clocks: start it with BILLING_TEST_CLOCKS=true (platform test does)",
    );
  if (created.status !== 201)
    throw new Error(`test clock: ${created.status} ${JSON.stringify(created.body)}`);
  const clockId = created.body.test_clock_id as string;
  await billing.request("POST", `/test-clocks/${clockId}/attach`);
  return {
    trial,
    clockId,
    /** Moves the clock to `to`; billing has run every step due up to it when this resolves. */
    advance: (to: number) =>
      billing.request("POST", `/test-clocks/${clockId}/advance`, { frozen_time: new Date(to).toISOString() }),
  };
}

/** tenancy's organization (its lifecycle `status`) once `ready` holds. */
export function organizationWhen(
  accountId: string,
  token: string,
  ready: (organization: Record<string, unknown>) => boolean,
  what: string,
) {
  return waitFor(
    async () => {
      const res = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}`, { token });
      return res.status === 200 && ready(res.body) ? res.body : undefined;
    },
    { timeoutMs: 60_000, what },
  );
}

/** tenancy's traits (plan, seat limit) once `ready` holds. */
export function traitsWhen(
  accountId: string,
  token: string,
  ready: (traits: Record<string, unknown>) => boolean,
  what = "tenancy's traits to follow billing",
) {
  return waitFor(
    async () => {
      const res = await call(tenancyUrl, "GET", `/v1/organizations/${accountId}/traits`, { token });
      return res.status === 200 && ready(res.body) ? res.body : undefined;
    },
    { timeoutMs: 60_000, what },
  );
}
