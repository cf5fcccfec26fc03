import { readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "@platform/testkit";
import { billingOf, onTestClock } from "./billing";
import { apiKeyOf, call, organizationOf, signUp, usageUrl } from "./platform";

export const HOUR_MS = 3_600_000;

export interface CatalogPlan {
  plan_id: string;
  version: number;
  limits: Record<string, number>;
  charges: Record<string, { model: string; package_size: number; package_price: string }>;
}

/** The plan version the subscription holds, as the catalog defines it (what the tests compute from). */
export function catalogPlan(planId: string, version: number): CatalogPlan {
  const catalog = JSON.parse(
    readFileSync(join(__dirname, "../../../services/billing/catalog/plans.json"), "utf8"),
  ) as { plans: CatalogPlan[] };
  const plan = catalog.plans.find((p) => p.plan_id === planId && p.version === version);
  if (!plan) throw new Error(`${planId} v${version} is not in the catalog`);
  return plan;
}

export const cents = (decimal: string) => Math.round(Number(decimal) * 100);

export interface Line {
  kind: string;
  metric: string | null;
  quantity: number;
  unit_price: string;
  amount_cents: number;
  period_start: string;
  period_end: string;
}

export interface UsageEventBody {
  metric: string;
  quantity: number;
  idempotency_key: string;
  timestamp: number;
}

/**
 * A new organization on a test clock, converted to its paid plan with a card, the clock a minute into
 * its first paid period: the billing routes, the clock, the period and the plan as the catalog has it.
 */
export async function payingOnClock(name: string, email: string) {
  const owner = await signUp(email);
  const { accountId, token } = await organizationOf(owner, name);
  const billing = billingOf(accountId, token);
  const { trial, advance } = await onTestClock(accountId, token);
  await billing.request("POST", "/subscription/payment-method", { payment_method_id: "pm_card_visa" });
  const periodStart = Date.parse(trial.trial_end);
  await advance(periodStart + 60_000);
  const paying = await billing.subscription();
  if (paying.status !== "active" || Date.parse(paying.current_period_start) !== periodStart)
    throw new Error(`not converted at the trial's end: ${JSON.stringify(paying)}`);
  return {
    accountId,
    token,
    billing,
    advance,
    periodStart,
    periodEnd: Date.parse(paying.current_period_end),
    plan: catalogPlan(paying.plan.plan_id, paying.plan.version),
  };
}

/** Usage's routes for one organization: reports with an API key, reads with the owner's token. */
export async function usageOf(accountId: string, token: string) {
  const key = await apiKeyOf(accountId, token, ["usage.write"]);
  const report = (body: unknown, path = "/usage/batch") =>
    call(usageUrl, "POST", `/v1/organizations/${accountId}${path}`, { token: key.token, body });
  return {
    report,
    /**
     * Reports a batch with the clock's times, weeks past the wall clock: accepted once usage has read
     * the clock's advance (until then it answers timestamp_in_future).
     */
    reportOnClock: (events: UsageEventBody[]) =>
      waitFor(
        async () => {
          const res = await report({ events });
          if (res.status === 202) return res;
          if (res.status !== 400 || res.body.errors?.[0]?.code !== "timestamp_in_future")
            throw new Error(`unexpected answer ${res.status} ${JSON.stringify(res.body)}`);
          return undefined;
        },
        { timeoutMs: 60_000, what: "usage to follow the organization's test clock" },
      ),
    /** The metric's hourly total over [from, to) once it is `expected` (what the count applied). */
    counted: (metric: string, from: number, to: number, expected: number) =>
      waitFor(
        async () => {
          const res = await call(
            usageUrl,
            "GET",
            `/v1/organizations/${accountId}/usage/series?metric=${metric}&granularity=hour&from=${from}&to=${to}`,
            { token },
          );
          const total = (res.body?.points ?? []).reduce(
            (sum: number, p: { value: number }) => sum + p.value,
            0,
          );
          return total === expected ? total : undefined;
        },
        { timeoutMs: 60_000, what: `usage to count ${expected} ${metric}` },
      ),
  };
}

/** Every overage line on the organization's invoices, with its invoice's id and status. */
export async function overageLines(billing: ReturnType<typeof billingOf>) {
  return (await billing.invoices()).flatMap((invoice) =>
    (invoice.lines as Line[])
      .filter((line) => line.kind === "overage")
      .map((line) => ({ invoice_id: invoice.invoice_id as string, status: invoice.status as string, line })),
  );
}

/** The overage lines once billing has invoiced some (usage's close reached it). */
export function overageLinesWhenBilled(billing: ReturnType<typeof billingOf>, what: string) {
  return waitFor(
    async () => {
      const lines = await overageLines(billing);
      return lines.length > 0 ? lines : undefined;
    },
    { timeoutMs: 90_000, what },
  );
}
