/**
 * A year of billing in seconds (issue #12, Test clocks): N organizations, each on its own test clock
 * (attached at its trial's start, with a payment method), advanced through a year — the trial's end and
 * twelve renewals, and whatever invoicing and dunning add to the subscription's due steps — against
 * real Kafka, registry and Postgres (a fresh database and topics, as the tests make them).
 *   pnpm --filter @platform/billing bench [-- --orgs 1000 --concurrency 8]
 * Prints steps/s, events/s and invoices/s (InvoiceIssued events in the log); asserts nothing.
 */
import { parseArgs } from "node:util";
import { addMonths } from "date-fns";
import { BillingEvent, SYSTEM_ACTOR } from "../src/domain/events";
import { addDays } from "../src/domain/periods";
import { startBilling } from "../test/support/harness";

const { values } = parseArgs({
  // pnpm passes the "--" that separates its own options through.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    orgs: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
  },
});
const ORGS = Number(values.orgs);
const CONCURRENCY = Number(values.concurrency);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Runs `work` over `items`, at most `limit` at a time. */
async function pooled<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function countEvents(h: Awaited<ReturnType<typeof startBilling>>, type?: string): Promise<number> {
  const rows = await h.service.db.$queryRawUnsafe<{ n: bigint }[]>(
    type === undefined
      ? "SELECT count(*) AS n FROM platform_events"
      : "SELECT count(*) AS n FROM platform_events WHERE event_type = $1",
    ...(type === undefined ? [] : [type]),
  );
  return Number(rows[0]?.n ?? 0);
}

async function main(): Promise<void> {
  const h = await startBilling({ BILLING_TEST_CLOCKS: "true" });
  try {
    const setupStarted = Date.now();
    const orgs: { accountId: string; clockId: string; start: Date }[] = [];
    await pooled(
      Array.from({ length: ORGS }, (_, i) => i),
      50,
      async (i) => {
        const { accountId, subscription } = await h.organization(`Bench ${i}`);
        const start = subscription.currentPeriodStart;
        const clock = await h.service.testClocks.create(
          accountId,
          { name: null, frozenTime: start },
          SYSTEM_ACTOR,
        );
        await h.service.subscriptions.attachTestClock(accountId, clock.id, SYSTEM_ACTOR);
        await h.service.subscriptions.attachPaymentMethod(
          accountId,
          { id: "pm_card_visa", kind: "card", brand: "visa", last4: "4242" },
          SYSTEM_ACTOR,
        );
        orgs.push({ accountId, clockId: clock.id, start });
      },
    );
    const setupMs = Date.now() - setupStarted;
    const eventsBefore = await countEvents(h);
    const invoicesBefore = await countEvents(h, BillingEvent.InvoiceIssued);

    const started = Date.now();
    let steps = 0;
    await pooled(orgs, CONCURRENCY, async ({ accountId, clockId, start }) => {
      // The trial's 14 days, then twelve monthly periods: the twelfth renewal is the year's last step.
      const to = new Date(addMonths(addDays(start, 14), 12).getTime() + 1000);
      const advanced = await h.service.testClocks.advance(accountId, clockId, to, SYSTEM_ACTOR);
      steps += advanced.steps;
    });
    const ms = Date.now() - started;
    const events = (await countEvents(h)) - eventsBefore;
    const invoices = (await countEvents(h, BillingEvent.InvoiceIssued)) - invoicesBefore;
    const perSecond = (n: number) => fmt((n / ms) * 1000);
    console.log(
      [
        `billing year bench: ${fmt(ORGS)} organizations, one test clock each, ${CONCURRENCY} advances at a time`,
        `setup (organization via Kafka, clock, attach, payment method): ${(setupMs / 1000).toFixed(1)} s`,
        `advance through a year: ${(ms / 1000).toFixed(1)} s`,
        `steps: ${fmt(steps)} (${perSecond(steps)}/s), events: ${fmt(events)} (${perSecond(events)}/s)`,
        `invoices: ${fmt(invoices)} (${perSecond(invoices)}/s)`,
      ].join("\n"),
    );
  } finally {
    await h.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
