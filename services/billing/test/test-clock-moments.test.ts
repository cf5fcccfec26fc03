/**
 * A test clock's moments (docs/billing.md, Test clocks): each moment is one transaction that reads what
 * is due and runs it, a charge's provider call after it. What a year on a clock counts on: every step
 * once, in order, and an organization closed while on a clock runs nothing more however far it moves.
 */
import { TenancyEvent } from "@platform/contracts";
import { waitFor } from "@platform/testkit";
import { addMonths } from "date-fns";
import { SYSTEM_ACTOR } from "../src/domain/events";
import { addDays } from "../src/domain/periods";
import { type Harness, startBilling } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startBilling({ BILLING_TEST_CLOCKS: "true" });
});
afterAll(() => h?.close());

const HOUR = 3_600_000;

/** An organization on a clock of its own at its trial's start, with a card that pays. */
async function onAClock(name: string) {
  const { accountId, subscription } = await h.organization(name);
  const start = subscription.currentPeriodStart;
  const clock = await h.service.testClocks.create(accountId, { name, frozenTime: start }, SYSTEM_ACTOR);
  await h.service.subscriptions.attachTestClock(accountId, clock.id, SYSTEM_ACTOR);
  await h.service.subscriptions.attachPaymentMethod(
    accountId,
    { id: "pm_card_visa", kind: "card", brand: "visa", last4: "4242" },
    SYSTEM_ACTOR,
  );
  const advance = (to: Date) => h.service.testClocks.advance(accountId, clock.id, to, SYSTEM_ACTOR);
  return { accountId, clockId: clock.id, start, advance };
}

it("runs each step once at its moment: the trial's reminder and conversion, then a renewal, each invoice finalized and charged", async () => {
  const { accountId, start, advance } = await onAClock("Moments");
  const trialEnd = addDays(start, 14);
  // Reminder, conversion, its invoice's finalization and charge (no usage to wait for), the renewal,
  // and an hour later (the usage grace) its invoice's finalization and charge.
  const advanced = await advance(new Date(addMonths(trialEnd, 1).getTime() + 2 * HOUR));
  expect(advanced.steps).toBe(7);
  const invoices = await h.service.invoices.list(accountId);
  expect(invoices.map((invoice) => invoice.status)).toEqual(["paid", "paid"]);
  expect(invoices.every((invoice) => invoice.nextDueAt === null)).toBe(true);
  const subscription = await h.service.subscriptions.get(accountId);
  expect(subscription).toMatchObject({ status: "active", currentPeriodStart: addMonths(trialEnd, 1) });

  // Nothing is due before the next renewal: a step further runs nothing.
  expect((await advance(new Date(addMonths(trialEnd, 1).getTime() + 3 * HOUR))).steps).toBe(0);
});

it("an organization closed while on a clock: the clock moves, nothing of the organization runs, and it stays advancing", async () => {
  const { accountId, clockId, start, advance } = await onAClock("Closing on a clock");
  const trialEnd = addDays(start, 14);
  expect((await advance(new Date(trialEnd.getTime() + HOUR))).steps).toBe(4);
  const before = await h.service.subscriptions.get(accountId);
  await h.publish("tenancy", TenancyEvent.OrganizationClosed, accountId, {
    account_id: accountId,
    previous_status: "created",
    status: "closed",
    reason: "moving on",
  });
  await waitFor(() => h.service.closedAccounts.isClosed(accountId), {
    what: "billing to learn of the closing",
  });

  const to = addMonths(trialEnd, 3);
  const advanced = await advance(to);
  expect(advanced.steps).toBe(0);
  expect(advanced.clock.frozenTime).toEqual(to);
  expect(await h.service.testClocks.pending(accountId, advanced.clock)).toBe(true);
  expect((await h.service.subscriptions.get(accountId)).version).toBe(before.version);
  expect((await h.service.invoices.list(accountId)).map((invoice) => invoice.status)).toEqual(["paid"]);
  expect((await h.service.testClocks.get(accountId, clockId)).frozenTime).toEqual(to);
});
