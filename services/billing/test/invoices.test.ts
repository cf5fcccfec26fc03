/**
 * Invoices, payments and dunning against real Kafka, registry and Postgres (docs/billing.md, Invoices,
 * Payments, Dunning): the invoice of each billing moment (conversion, renewal with usage's overages,
 * upgrade), the test provider's payment methods, dunning driven by the test's clock through the
 * scheduler's due steps, gapless numbers under concurrency, credit notes, and tenant isolation.
 */
import { randomBytes } from "node:crypto";
import { UsageEvent } from "@platform/contracts";
import { enterTenant } from "@platform/database";
import { privilegedUrlOf } from "@platform/event-sourcing";
import { infrastructure, waitFor } from "@platform/testkit";
import { Client } from "pg";
import { TEST_PAYMENT_METHODS as PM } from "../src/app/payments/test-provider";
import { addDays } from "../src/domain/periods";
import { type Harness, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling();
});
afterAll(() => h?.close());

const DAY = 86_400_000;
const setClock = (at: Date) => h.clock.advance(at.getTime() - h.clock.now().getTime());
const sub = (accountId: string, tail = "") => `/v1/organizations/${accountId}/subscription${tail}`;
const inv = (accountId: string, tail = "") => `/v1/organizations/${accountId}/invoices${tail}`;

/** An organization whose trial converted with `method`: the conversion invoice is issued and charged. */
async function converted(name: string, method: string) {
  const { accountId } = await h.organization(name);
  const attach = await h.call("POST", sub(accountId, "/payment-method"), {
    token: await h.token(accountId),
    body: { payment_method_id: method },
  });
  expect(attach.status).toBe(200);
  const subscription = await h.service.subscriptions.get(accountId);
  setClock(subscription.trialEnd as Date);
  await h.service.runScheduler();
  return { accountId, token: () => h.token(accountId), subscriptionId: subscription.id };
}

async function invoices(accountId: string) {
  const answer = await h.call("GET", inv(accountId), { token: await h.token(accountId) });
  expect(answer.status).toBe(200);
  return answer.body.data as Record<string, unknown>[];
}

async function invoice(accountId: string, invoiceId: string) {
  const answer = await h.call("GET", inv(accountId, `/${invoiceId}`), { token: await h.token(accountId) });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function subscriptionEvents(subscriptionId: string) {
  const events = await h.service.db.$transaction((tx) => h.service.store.load(tx, subscriptionId));
  return events.map((event) => event.type.replace("platform.billing.", ""));
}

const NUMBER = /^INV-\d{4}-\d{6}$/;

describe("the invoice of each billing moment", () => {
  it("a trial converts: the first period's base fee in advance, numbered, charged and paid", async () => {
    const { accountId } = await converted("Converts", PM.succeeds);
    const [only, ...others] = await invoices(accountId);
    expect(others).toEqual([]);
    const detail = await invoice(accountId, String(only?.invoice_id));
    const subscription = await h.service.subscriptions.get(accountId);
    expect(detail).toMatchObject({
      status: "paid",
      billing_reason: "subscription_create",
      currency: "USD",
      subtotal_cents: 19_900,
      total_cents: 19_900,
      amount_due_cents: 0,
      paid_cents: 19_900,
      period_start: subscription.currentPeriodStart.toISOString(),
      period_end: subscription.currentPeriodEnd.toISOString(),
      lines: [
        {
          kind: "base",
          description: "Professional (monthly)",
          quantity: 1,
          unit_price: "199.00",
          amount_cents: 19_900,
          period_start: subscription.currentPeriodStart.toISOString(),
          period_end: subscription.currentPeriodEnd.toISOString(),
        },
      ],
      payments: [{ attempt: 1, status: "succeeded", payment_method_id: PM.succeeds, provider: "test" }],
      credit_notes: [],
    });
    expect(detail.number).toMatch(NUMBER);
  });

  it("a renewal: the next period in advance and the closed period's overages in arrears, from usage's UsagePeriodClosed, once however often it arrives", async () => {
    const { accountId, subscriptionId } = await converted("Meters", PM.succeeds);
    const closed = await h.service.subscriptions.get(accountId);
    const usage = {
      account_id: accountId,
      subscription_id: subscriptionId,
      period_start: closed.currentPeriodStart.getTime(),
      period_end: closed.currentPeriodEnd.getTime(),
      // Professional: 100,000 calls and 100 GB included; $4.00 per started 1,000 calls, $0.40 per GB.
      totals: { api_calls: 112_500, storage_gb: 130, users: 12 },
      limits: { api_calls: 100_000, storage_gb: 100, users: 25 },
    };
    const aggregate = `usage-period:${subscriptionId}:${usage.period_start}`;
    // usage sends the close twice (a producer retry, a replay): the second is the same totals.
    await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await waitFor(
      async () =>
        (
          await h.service.db.$queryRawUnsafe<{ version: number }[]>(
            "SELECT version FROM platform_applied_versions WHERE aggregate_id = $1 AND consumer_group NOT LIKE '%.processes'",
            aggregate,
          )
        )[0]?.version === 2 || undefined,
      { what: "both closes of the usage period to be projected" },
    );
    setClock(closed.currentPeriodEnd);
    await h.service.runScheduler();
    const renewal = (await invoices(accountId)).find((i) => i.billing_reason === "subscription_cycle");
    const detail = await invoice(accountId, String(renewal?.invoice_id));
    const next = await h.service.subscriptions.get(accountId);
    expect(detail).toMatchObject({
      status: "paid",
      usage_period: {
        start: closed.currentPeriodStart.toISOString(),
        end: closed.currentPeriodEnd.toISOString(),
      },
      // $199.00 + 13 × $4.00 + 30 × $0.40
      subtotal_cents: 19_900 + 5_200 + 1_200,
      total_cents: 26_300,
    });
    expect(detail.lines).toMatchObject([
      {
        kind: "base",
        amount_cents: 19_900,
        period_start: next.currentPeriodStart.toISOString(),
        period_end: next.currentPeriodEnd.toISOString(),
      },
      // In the catalog's order of metrics: storage, then API calls.
      { kind: "overage", metric: "storage_gb", quantity: 30, unit_price: "0.4", amount_cents: 1_200 },
      {
        kind: "overage",
        metric: "api_calls",
        quantity: 13,
        unit_price: "4.00",
        amount_cents: 5_200,
        period_start: closed.currentPeriodStart.toISOString(),
        period_end: closed.currentPeriodEnd.toISOString(),
      },
    ]);
    // The close arriving once more after the renewal changes no invoice.
    await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await h.service.settled();
    await h.service.runScheduler();
    expect((await invoices(accountId)).map((i) => i.total_cents)).toEqual([26_300, 19_900]);
  });

  it("a renewal without usage's close waits the grace period, is finalized without overages, and a late close is invoiced in arrears once", async () => {
    const { accountId, subscriptionId } = await converted("Quiet", PM.succeeds);
    const closed = await h.service.subscriptions.get(accountId);
    setClock(closed.currentPeriodEnd);
    await h.service.runScheduler();
    const draft = (await invoices(accountId)).find((i) => i.billing_reason === "subscription_cycle");
    expect(draft).toMatchObject({ status: "draft", number: null, total_cents: 19_900 });
    h.clock.advance(3600 * 1000);
    await h.service.runScheduler();
    expect(await invoice(accountId, String(draft?.invoice_id))).toMatchObject({
      status: "paid",
      total_cents: 19_900,
      lines: [{ kind: "base" }],
    });
    // usage's close arrives after the grace, twice: its overages get one invoice of their own.
    const usage = {
      account_id: accountId,
      subscription_id: subscriptionId,
      period_start: closed.currentPeriodStart.getTime(),
      period_end: closed.currentPeriodEnd.getTime(),
      totals: { api_calls: 101_000 },
      limits: { api_calls: 100_000 },
    };
    const aggregate = `usage-period:${subscriptionId}:${usage.period_start}`;
    await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await h.service.settled();
    await h.service.runScheduler();
    const all = await invoices(accountId);
    expect(all.map((i) => [i.billing_reason, i.status, i.total_cents])).toEqual([
      ["subscription_cycle", "paid", 400],
      ["subscription_cycle", "paid", 19_900],
      ["subscription_create", "paid", 19_900],
    ]);
    expect((await invoice(accountId, String(all[0]?.invoice_id))).lines).toMatchObject([
      {
        kind: "overage",
        metric: "api_calls",
        quantity: 1,
        period_start: closed.currentPeriodStart.toISOString(),
        period_end: closed.currentPeriodEnd.toISOString(),
      },
    ]);
  });

  it("an upgrade: the proration lines on an invoice issued and charged at once", async () => {
    const { accountId, token, subscriptionId } = await converted("Upgrades", PM.succeeds);
    const before = await h.service.subscriptions.get(accountId);
    setClock(new Date(before.currentPeriodStart.getTime() + 10 * DAY));
    const answer = await h.call("POST", sub(accountId, "/upgrade"), {
      token: await token(),
      body: { plan_id: "enterprise" },
    });
    expect(answer.status).toBe(200);
    const events = await h.service.db.$transaction((tx) => h.service.store.load(tx, subscriptionId));
    const proration = Number(events.at(-1)?.data.proration_cents);
    const upgrade = (await invoices(accountId)).find((i) => i.billing_reason === "subscription_update");
    const detail = await invoice(accountId, String(upgrade?.invoice_id));
    expect(detail).toMatchObject({
      status: "paid",
      total_cents: proration,
      period_end: before.currentPeriodEnd.toISOString(),
      payments: [{ status: "succeeded", amount_cents: proration }],
    });
    expect(
      detail.lines.map((l: { kind: string; amount_cents: number }) => [l.kind, Math.sign(l.amount_cents)]),
    ).toEqual([
      ["proration", -1],
      ["proration", 1],
    ]);
    expect(detail.lines.reduce((sum: number, l: { amount_cents: number }) => sum + l.amount_cents, 0)).toBe(
      proration,
    );
  });
});

describe("a subscription's last period (no renewal bills it)", () => {
  const closeOf = (
    accountId: string,
    subscriptionId: string,
    start: Date,
    end: Date,
    apiCalls: number,
  ): [string, Record<string, unknown>] => [
    `usage-period:${subscriptionId}:${start.getTime()}`,
    {
      account_id: accountId,
      subscription_id: subscriptionId,
      period_start: start.getTime(),
      period_end: end.getTime(),
      totals: { api_calls: apiCalls },
      limits: { api_calls: 100_000 },
    },
  ];

  it("canceled now mid-period: usage's close at the cancellation is invoiced on its own, at the full plan's limit, once", async () => {
    const { accountId, token, subscriptionId } = await converted("Canceled Now", PM.succeeds);
    const paying = await h.service.subscriptions.get(accountId);
    setClock(new Date(paying.currentPeriodStart.getTime() + 10 * DAY));
    const answer = await h.call("POST", sub(accountId, "/cancel"), {
      token: await token(),
      body: { at_period_end: false },
    });
    expect([answer.status, answer.body.status]).toEqual([200, "ended"]);
    const endsAt = new Date(answer.body.ends_at);
    expect(endsAt < paying.currentPeriodEnd).toBe(true);
    // usage ends the period at the subscription's end and closes it after its grace, twice here.
    const [aggregate, usage] = closeOf(accountId, subscriptionId, paying.currentPeriodStart, endsAt, 102_500);
    h.clock.advance(3_600_000);
    await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await h.service.settled();
    await h.service.runScheduler();
    const all = await invoices(accountId);
    expect(all.map((i) => [i.billing_reason, i.status, i.total_cents])).toEqual([
      ["subscription_cycle", "paid", 1_200],
      ["subscription_create", "paid", 19_900],
    ]);
    expect((await invoice(accountId, String(all[0]?.invoice_id))).lines).toMatchObject([
      {
        kind: "overage",
        metric: "api_calls",
        quantity: 3,
        amount_cents: 1_200,
        period_start: paying.currentPeriodStart.toISOString(),
        period_end: endsAt.toISOString(),
      },
    ]);
  });

  it("a trial's period is never billed: neither a lapsed or canceled trial's nor a converted one's", async () => {
    const { accountId: canceledId } = await h.organization("Trial Canceled");
    const trial = await h.service.subscriptions.get(canceledId);
    const answer = await h.call("POST", sub(canceledId, "/cancel"), {
      token: await h.token(canceledId),
      body: { at_period_end: false },
    });
    expect([answer.status, answer.body.status]).toEqual([200, "ended"]);
    const { accountId: convertedId, subscriptionId } = await converted("Trial Converted", PM.succeeds);
    const paying = await h.service.subscriptions.get(convertedId);
    for (const [aggregate, usage] of [
      closeOf(canceledId, trial.id, trial.currentPeriodStart, new Date(answer.body.ends_at), 250_000),
      closeOf(convertedId, subscriptionId, trial.currentPeriodStart, paying.currentPeriodStart, 250_000),
    ])
      await h.publish("usage", UsageEvent.UsagePeriodClosed, aggregate, usage);
    await h.service.settled();
    await h.service.runScheduler();
    expect(await invoices(canceledId)).toEqual([]);
    expect((await invoices(convertedId)).map((i) => i.billing_reason)).toEqual(["subscription_create"]);
  });
});

describe("dunning", () => {
  it("declined → past due → retried after 3 days and on day 6 → suspended on day 7 → paid with a new card → reactivated", async () => {
    const { accountId, token, subscriptionId } = await converted("Declines", PM.insufficientFunds);
    const [first] = await invoices(accountId);
    const id = String(first?.invoice_id);
    expect(first).toMatchObject({ status: "open", attempts: 1, amount_due_cents: 19_900 });
    // Dunning's day 0 is the first failed attempt.
    const failedAt = new Date((await invoice(accountId, id)).payments[0].attempted_at);
    expect(first?.next_payment_attempt).toBe(addDays(failedAt, 3).toISOString());
    // What a test clock asks to know where to stop next.
    expect(await h.service.invoices.nextDueAt(accountId)).toEqual(addDays(failedAt, 3));
    expect((await h.service.subscriptions.get(accountId)).status).toBe("past_due");

    setClock(addDays(failedAt, 2));
    await h.service.runScheduler();
    expect((await invoice(accountId, id)).attempts).toBe(1); // nothing due before day 3
    setClock(addDays(failedAt, 3.01));
    await h.service.runScheduler();
    expect(await invoice(accountId, id)).toMatchObject({ status: "open", attempts: 2 });
    setClock(addDays(failedAt, 6.01));
    await h.service.runScheduler();
    const third = await invoice(accountId, id);
    expect(third).toMatchObject({ status: "open", attempts: 3, next_payment_attempt: null });
    expect(third.payments.map((p: { failure_code: string }) => p.failure_code)).toEqual([
      "insufficient_funds",
      "insufficient_funds",
      "insufficient_funds",
    ]);
    expect((await h.service.subscriptions.get(accountId)).status).toBe("past_due");
    setClock(addDays(failedAt, 7.01));
    await h.service.runScheduler();
    expect((await invoice(accountId, id)).status).toBe("uncollectible");
    expect((await h.service.subscriptions.get(accountId)).status).toBe("suspended");

    const paid = await h.call("POST", inv(accountId, `/${id}/pay`), {
      token: await token(),
      body: { payment_method_id: PM.succeeds },
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "paid", attempts: 4, paid_cents: 19_900, amount_due_cents: 0 });
    expect(await h.service.subscriptions.get(accountId)).toMatchObject({
      status: "active",
      paymentMethodId: PM.succeeds,
      pastDueSince: null,
    });
    expect((await subscriptionEvents(subscriptionId)).slice(-5)).toEqual([
      "TrialEnded",
      "SubscriptionPastDue",
      "SubscriptionSuspended",
      "PaymentMethodAttached",
      "SubscriptionReactivated",
    ]);
  });

  it("the card that fails once: past due at the conversion, paid by the retry 3 days later, reactivated", async () => {
    const { accountId } = await converted("Flaky", PM.declinedOnceThenSucceeds);
    const [first] = await invoices(accountId);
    expect(first).toMatchObject({ status: "open", attempts: 1 });
    expect((await h.service.subscriptions.get(accountId)).status).toBe("past_due");
    setClock(new Date(String(first?.next_payment_attempt)));
    await h.service.runScheduler();
    const detail = await invoice(accountId, String(first?.invoice_id));
    expect(
      detail.payments.map((p: { status: string; failure_code: string | null }) => [p.status, p.failure_code]),
    ).toEqual([
      ["failed", "card_declined"],
      ["succeeded", null],
    ]);
    expect((await h.service.subscriptions.get(accountId)).status).toBe("active");
  });

  it("an upgrade charged on a declined card makes the subscription past due at once", async () => {
    const { accountId, token } = await converted("Upgrade Declines", PM.succeeds);
    await h.call("POST", sub(accountId, "/payment-method"), {
      token: await token(),
      body: { payment_method_id: PM.declined },
    });
    h.clock.advance(5 * DAY);
    const answer = await h.call("POST", sub(accountId, "/upgrade"), {
      token: await token(),
      body: { plan_id: "enterprise" },
    });
    expect(answer.body).toMatchObject({ status: "past_due", plan: { plan_id: "enterprise" } });
  });
});

describe("numbers", () => {
  it("50 invoices finalized at once get 50 consecutive numbers, none skipped, none twice", async () => {
    const now = h.clock.now();
    // The drafts one by one (drafting takes no number); their finalizations all at once.
    const drafts: { accountId: string; invoiceId: string }[] = [];
    for (let i = 0; i < 50; i++)
      drafts.push(
        await (async () => {
          const accountId = `acc_${randomBytes(8).toString("hex")}`;
          const invoiceId = await h.service.db.$transaction(async (tx) => {
            await enterTenant(tx, accountId);
            return h.service.invoices.draft(
              tx,
              accountId,
              `sub_${randomBytes(6).toString("hex")}`,
              {
                currency: "USD",
                billingReason: "subscription_update",
                lines: [
                  {
                    kind: "base",
                    description: "Starter (monthly)",
                    metric: null,
                    quantity: 1,
                    unit_price: "49.00",
                    amount_cents: 4_900,
                    period_start: now,
                    period_end: addDays(now, 30),
                  },
                ],
                period: { start: now, end: addDays(now, 30) },
                usagePeriod: null,
                usagePlan: null,
                finalizeAt: addDays(now, 365),
              },
              now,
            );
          });
          return { accountId, invoiceId };
        })(),
      );
    const finalized = await Promise.all(
      drafts.map(({ accountId, invoiceId }) => h.service.invoices.finalize(accountId, invoiceId, now)),
    );
    const sequences = finalized.map((row) => Number(String(row.number).slice(-6))).sort((a, b) => a - b);
    expect(new Set(sequences).size).toBe(50);
    expect((sequences.at(-1) ?? 0) - (sequences[0] ?? 0)).toBe(49);
    // The series' log holds exactly the numbers given, the last one being the newest invoice's.
    const series = `number-series:platform:INV:${now.getUTCFullYear()}`;
    const versions = await h.service.db.$queryRawUnsafe<{ version: number }[]>(
      "SELECT version FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
      series,
    );
    expect(versions.map((row) => row.version)).toEqual(versions.map((_row, i) => i + 1));
    expect(versions.at(-1)?.version).toBe(sequences.at(-1));
    // A finalized invoice is never finalized (numbered) again.
    const again = await h.service.invoices
      .finalize(drafts[0]?.accountId ?? "", drafts[0]?.invoiceId ?? "", now)
      .catch((error: { code?: string }) => error.code);
    expect(again).toBe("invoice_finalized");
  });
});

describe("credit notes and refusals", () => {
  it("credits a paid invoice in parts up to its total, numbered CN-, never editing it", async () => {
    const { accountId, token } = await converted("Credits", PM.succeeds);
    const [paid] = await invoices(accountId);
    const id = String(paid?.invoice_id);
    const credit = async (amount: number) =>
      h.call("POST", inv(accountId, `/${id}/credit-notes`), {
        token: await token(),
        body: { amount_cents: amount, reason: "service outage on the 3rd" },
      });
    const first = await credit(5_000);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ amount_cents: 5_000, invoice_id: id });
    expect(first.body.number).toMatch(/^CN-\d{4}-\d{6}$/);
    const over = await credit(14_901);
    expect([over.status, over.body.code]).toEqual([400, "credit_note_exceeds_invoice"]);
    expect((await credit(14_900)).status).toBe(201);
    const detail = await invoice(accountId, id);
    expect(detail).toMatchObject({ status: "paid", total_cents: 19_900, credited_cents: 19_900 });
    expect(detail.lines).toHaveLength(1);
    expect(detail.credit_notes).toHaveLength(2);
  });

  it("a credit note for an open invoice's whole amount settles it and reactivates the subscription", async () => {
    const { accountId, token } = await converted("Credited Open", PM.declined);
    const [open] = await invoices(accountId);
    const answer = await h.call("POST", inv(accountId, `/${open?.invoice_id}/credit-notes`), {
      token: await token(),
      body: { amount_cents: 19_900, reason: "goodwill" },
    });
    expect(answer.status).toBe(201);
    expect(await invoice(accountId, String(open?.invoice_id))).toMatchObject({
      status: "paid",
      amount_due_cents: 0,
    });
    expect((await h.service.subscriptions.get(accountId)).status).toBe("active");
  });

  it.each<[string, number, string, (id: string) => string, unknown]>([
    ["paying a paid invoice", 409, "invoice_already_paid", (id) => `/${id}/pay`, {}],
    ["an unknown invoice", 404, "invoice_not_found", () => "/in_nothing_here/pay", {}],
    [
      "a credit note of 0",
      400,
      "invalid_request_body",
      (id) => `/${id}/credit-notes`,
      { amount_cents: 0, reason: "x" },
    ],
    [
      "a credit note without reason",
      400,
      "invalid_request_body",
      (id) => `/${id}/credit-notes`,
      { amount_cents: 1 },
    ],
    [
      "a card number to pay with",
      400,
      "invalid_request_body",
      (id) => `/${id}/pay`,
      { payment_method_id: "4242424242424242" },
    ],
  ])("%s → %i %s, and nothing written", async (_name, status, code, tail, body) => {
    const { accountId, token } = await converted(`Refused ${code}`, PM.succeeds);
    const [paid] = await invoices(accountId);
    const id = String(paid?.invoice_id);
    const before = await invoice(accountId, id);
    const answer = await h.call("POST", inv(accountId, tail(id)), { token: await token(), body });
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(await invoice(accountId, id)).toEqual(before);
  });

  it("a declined payment asked for now answers 409 payment_declined, and the attempt is recorded", async () => {
    const { accountId, token } = await converted("Declined Now", PM.declined);
    const [open] = await invoices(accountId);
    const answer = await h.call("POST", inv(accountId, `/${open?.invoice_id}/pay`), {
      token: await token(),
      body: {},
    });
    expect([answer.status, answer.body.code, answer.body.failure_code]).toEqual([
      409,
      "payment_declined",
      "card_declined",
    ]);
    expect((await invoice(accountId, String(open?.invoice_id))).attempts).toBe(2);
  });

  it("another organization's invoice is not found (404, as an unknown one), and not listed; billing.read to read, billing.manage to pay", async () => {
    const a = await converted("Tenant A", PM.succeeds);
    const b = await converted("Tenant B", PM.succeeds);
    const [ofA] = await invoices(a.accountId);
    const asB = await h.token(b.accountId);
    const read = await h.call("GET", inv(b.accountId, `/${ofA?.invoice_id}`), { token: asB });
    expect([read.status, read.body.code]).toEqual([404, "invoice_not_found"]);
    const pay = await h.call("POST", inv(b.accountId, `/${ofA?.invoice_id}/credit-notes`), {
      token: asB,
      body: { amount_cents: 100, reason: "mine now" },
    });
    expect([pay.status, pay.body.code]).toEqual([404, "invoice_not_found"]);
    expect((await invoices(b.accountId)).map((i) => i.invoice_id)).not.toContain(ofA?.invoice_id);
    const mismatch = await h.call("GET", inv(a.accountId), { token: asB });
    expect([mismatch.status, mismatch.body.code]).toEqual([403, "account_mismatch"]);
    const admin = await h.token(a.accountId, "admin");
    expect((await h.call("GET", inv(a.accountId), { token: admin })).status).toBe(200);
    const adminCredit = await h.call("POST", inv(a.accountId, `/${ofA?.invoice_id}/credit-notes`), {
      token: admin,
      body: { amount_cents: 100, reason: "x" },
    });
    expect([adminCredit.status, adminCredit.body.code]).toEqual([403, "permission_denied"]);
  });
});

it("rebuilds invoices, lines, payments and credit notes from the log, a year later, equal to the live rows", async () => {
  // Every tenant's rows, past row-level security, on the administrator's connection.
  const admin = new Client({
    connectionString: privilegedUrlOf(h.db.url, infrastructure().postgresAdminUrl),
  });
  await admin.connect();
  const tables = ["invoices", "invoice_lines", "payments", "credit_notes"];
  const snapshot = async () => {
    const rows: Record<string, unknown[]> = {};
    for (const table of tables)
      rows[table] = (await admin.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows;
    return rows;
  };
  try {
    const live = await snapshot();
    expect(live.payments?.length).toBeGreaterThan(10);
    setClock(addDays(h.clock.now(), 400));
    await h.service.rebuildState();
    expect(await snapshot()).toEqual(live);
  } finally {
    await admin.end();
  }
});
