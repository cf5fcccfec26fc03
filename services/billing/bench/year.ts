/**
 * A year of billing in seconds (issue #12, Test clocks): N organizations, each on its own test clock
 * (attached at its trial's start, with a payment method), advanced through a year — the trial's end and
 * twelve renewals, and whatever invoicing and dunning add to the subscription's due steps — against
 * real Kafka, registry and Postgres (a fresh database and topics, as the tests make them).
 *   pnpm --filter @platform/billing bench [-- --orgs 1000 --concurrency 8 --count-statements]
 * Prints steps/s, events/s and invoices/s (InvoiceIssued events in the log), and with
 * --count-statements the SQL statements and transactions the advance sent; asserts nothing.
 *
 * It leaves nothing behind on the shared machine: its database is dropped, and its topics and their
 * registry subjects deleted, at the end, on an error and on SIGINT/SIGTERM (a SIGKILL leaves them).
 */
import { parseArgs } from "node:util";
import { loadContracts, SCHEMAS_ROOT } from "@platform/contracts";
import { createKafka } from "@platform/messaging";
import { createLogger } from "@platform/observability";
import { infrastructure } from "@platform/testkit";
import { addMonths } from "date-fns";
import pg from "pg";
import { BillingEvent, SYSTEM_ACTOR } from "../src/domain/events";
import { addDays } from "../src/domain/periods";
import { startBilling } from "../test/support/harness";

const { values } = parseArgs({
  // pnpm passes the "--" that separates its own options through.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    orgs: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
    "count-statements": { type: "boolean", default: false },
  },
});
const ORGS = Number(values.orgs);
const CONCURRENCY = Number(values.concurrency);
const COUNT_STATEMENTS = values["count-statements"];
/**
 * Organizations set up at once. Each polls for its trial in a transaction every 100 ms: 50 at once
 * (as before) starved the service's pool of 10 connections past Prisma's 2 s wait for one on the shared
 * machine (P2028 "Unable to start a transaction in the given time" at 1,000 organizations).
 */
const SETUP_CONCURRENCY = 8;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * Every statement the process sends, counted where Prisma's pg adapter sends it (pg's Client), and the
 * transactions among them: the advance's cost is its round trips (docs/benchmarks.md, billing).
 */
const sent = { statements: 0, transactions: 0 };
if (COUNT_STATEMENTS) {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    sent.statements += 1;
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: unknown } | null)?.text;
    if (typeof text === "string" && /^\s*BEGIN\b/i.test(text)) sent.transactions += 1;
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

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

/**
 * The bench's topics and their registry subjects (the harness makes them under a prefix of its own, and
 * tests leave theirs; a bench run makes several a day, and every subject left is read again by the
 * registry's queries on each later registration).
 */
async function deleteTopicsAndSubjects(topics: Record<string, string>): Promise<number> {
  const infra = infrastructure();
  const names = Object.values(topics);
  const kafka = createKafka({
    brokers: infra.kafkaBrokers,
    clientId: "billing-bench-cleanup",
    logger: createLogger({ name: "billing-bench-cleanup", level: "error" }),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: names });
  } finally {
    await admin.disconnect();
  }
  let deleted = 0;
  // The subjects the harness registered for its topics, named from the contracts (the registry's
  // subject listing is capped, and the shared one holds more than its cap).
  for (const contract of loadContracts(SCHEMAS_ROOT).subjects) {
    const topic = names.find((name) => name.endsWith(`.${contract.topic}`));
    if (!topic) continue;
    const subject = `${topic.slice(0, -contract.topic.length)}${contract.subject}`;
    const path = `${infra.schemaRegistryUrl}/subjects/${encodeURIComponent(subject)}`;
    // Confluent's API: a soft delete first, then the permanent one.
    await fetch(path, { method: "DELETE" });
    if ((await fetch(`${path}?permanent=true`, { method: "DELETE" })).ok) deleted += 1;
  }
  return deleted;
}

async function main(): Promise<void> {
  const h = await startBilling({ BILLING_TEST_CLOCKS: "true" });
  let cleaned: Promise<void> | undefined;
  const cleanUp = () => {
    cleaned ??= (async () => {
      await h.close();
      const subjects = await deleteTopicsAndSubjects(h.topics);
      console.log(
        `cleaned up: database ${h.db.name} dropped, topics ${Object.values(h.topics).join(", ")} and ${subjects} registry subjects deleted`,
      );
    })();
    return cleaned;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      console.error(`billing year bench: ${signal}, dropping the database and deleting the topics`);
      cleanUp().finally(() => process.exit(130));
    });
  try {
    const setupStarted = Date.now();
    const orgs: { accountId: string; clockId: string; start: Date }[] = [];
    await pooled(
      Array.from({ length: ORGS }, (_, i) => i),
      SETUP_CONCURRENCY,
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
    const sentBefore = { ...sent };
    let steps = 0;
    await pooled(orgs, CONCURRENCY, async ({ accountId, clockId, start }) => {
      // The trial's 14 days, then twelve monthly periods: the twelfth renewal is the year's last step.
      const to = new Date(addMonths(addDays(start, 14), 12).getTime() + 1000);
      const advanced = await h.service.testClocks.advance(accountId, clockId, to, SYSTEM_ACTOR);
      steps += advanced.steps;
    });
    const ms = Date.now() - started;
    const statements = sent.statements - sentBefore.statements;
    const transactions = sent.transactions - sentBefore.transactions;
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
        ...(COUNT_STATEMENTS
          ? [
              `SQL while advancing: ${fmt(statements)} statements (${(statements / steps).toFixed(1)} a step), ${fmt(transactions)} transactions (${(transactions / steps).toFixed(2)} a step)`,
            ]
          : []),
      ].join("\n"),
    );
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
