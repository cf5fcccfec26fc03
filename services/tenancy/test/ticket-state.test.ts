/**
 * Tickets as event-sourced state (issue #10 items 1, 3, 4, 5): `tickets` is written only by tenancy's
 * inline handlers (alerts_sent included), a change decided on an old version is refused by the store,
 * and a rebuild from `platform_events` at a later time equals the live table.
 */
import { allTenantIds, inTenant } from "@platform/database";
import { ConcurrencyConflictError } from "@platform/errors";
import { SYSTEM_ACTOR, TenancyEvent } from "../src/domain/events";
import type { Ticket } from "../src/generated/prisma/client";
import { type Harness, startTenancy } from "./support/harness";

const MINUTE = 60_000;
let h: Harness;

beforeAll(async () => {
  h = await startTenancy();
});
afterAll(() => h?.close());

async function allTickets(): Promise<Ticket[]> {
  const rows: Ticket[] = [];
  for (const accountId of await allTenantIds(h.service.db))
    rows.push(
      ...(await inTenant(h.service.db, accountId, (tx) => tx.ticket.findMany({ where: { accountId } }))),
    );
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

it("a ticket change decided on an older version is refused with concurrency_conflict, and writes nothing", async () => {
  const { accountId } = await h.organization();
  const tickets = h.service.tickets;
  const ticket = await tickets.open(
    accountId,
    { subject: "Printer on fire", priority: "high", category: "technical" },
    null,
    SYSTEM_ACTOR,
  );
  await tickets.update(accountId, ticket.id, { status: "pending" }, SYSTEM_ACTOR);
  // Another writer decided on the ticket as opened (version 1) and appends after the update.
  const stale = h.service.db.$transaction(async (tx) => {
    await h.service.store.append(tx, {
      aggregate: { type: "ticket", id: ticket.id, tenantId: accountId },
      expectedVersion: ticket.version,
      events: [
        {
          type: TenancyEvent.SlaWarning,
          data: {
            account_id: accountId,
            ticket_id: ticket.id,
            priority: "high",
            sla: "first_response",
            due_at: 0,
            elapsed_percent: 80,
            actor: SYSTEM_ACTOR,
          },
        },
      ],
    });
  });
  await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
  expect(await tickets.get(accountId, ticket.id)).toMatchObject({
    status: "pending",
    alertsSent: [],
    version: 2,
  });
});

it("drops every ticket of every tenant, replays platform_events at a later time, and writes equal rows", async () => {
  const tickets = h.service.tickets;
  for (const name of ["Initech", "Globex"]) {
    const { accountId, owner } = await h.organization(name);
    const open = (subject: string, body: Record<string, unknown> = {}) =>
      tickets.open(accountId, { subject, ...body }, owner.userId, SYSTEM_ACTOR);
    const charged = await open("We were charged twice", { description: "invoice 42" });
    const fire = await open("Printer on fire", { priority: "critical", category: "technical" });
    const slow = await open("Slow dashboard", { priority: "critical" });
    h.clock.advance(10 * MINUTE);
    await tickets.update(
      accountId,
      charged.id,
      { assignee_id: "usr_agent", first_response: true },
      SYSTEM_ACTOR,
    );
    await tickets.update(accountId, slow.id, { status: "resolved" }, SYSTEM_ACTOR);
    await tickets.update(accountId, slow.id, { status: "open" }, SYSTEM_ACTOR);
    h.clock.advance(40 * MINUTE);
    await tickets.sweepSla();
    await tickets.update(accountId, fire.id, { priority: "high" }, SYSTEM_ACTOR);
    h.clock.advance(5 * 60 * MINUTE);
    await tickets.sweepSla();
    await tickets.update(accountId, charged.id, { status: "closed" }, SYSTEM_ACTOR);
  }
  const live = await allTickets();
  expect(live.length).toBeGreaterThanOrEqual(6);
  expect(live.some((t) => t.alertsSent.length > 0)).toBe(true);

  h.clock.advance(86_400_000);
  const [victim] = live;
  if (victim)
    await inTenant(h.service.db, victim.accountId, (tx) =>
      tx.ticket.update({ where: { id: victim.id }, data: { alertsSent: ["tampered"], status: "open" } }),
    );
  await h.service.rebuildState();
  expect(await allTickets()).toEqual(live);
});
