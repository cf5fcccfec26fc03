/**
 * Support tickets against real Postgres (row-level security in force), Kafka and the registry: triage,
 * SLA deadlines, updates and their rules, the SLA sweep across tenants, and tenant isolation over HTTP.
 */

import { inTenant } from "@platform/database";
import { waitFor } from "@platform/testkit";
import type { TicketService } from "../src/app/tickets";
import { SYSTEM_ACTOR } from "../src/domain/events";
import { SLA_HOURS, TICKET_PRIORITIES } from "../src/domain/sla";
import { type Harness, startTenancy } from "./support/harness";

const HOUR = 3_600_000;
const MINUTE = 60_000;

let h: Harness;
let tickets: TicketService;

beforeAll(async () => {
  h = await startTenancy();
  tickets = h.service.tickets;
});
afterAll(() => h?.close());

const call: Harness["call"] = (method, path, options) => h.call(method, path, options);

async function events(aggregateId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const rows = await h.service.db.$queryRawUnsafe<{ event_type: string; payload: Record<string, unknown> }[]>(
    "SELECT event_type, payload FROM platform_events WHERE aggregate_id = $1 ORDER BY version",
    aggregateId,
  );
  return rows.map((r) => ({ type: r.event_type.replace("platform.tenancy.", ""), payload: r.payload }));
}

const ticketsPath = (accountId: string) => `/v1/organizations/${accountId}/tickets`;

describe("opening a ticket", () => {
  it("triages category and priority from the text and records the rule (TicketOpened)", async () => {
    const { accountId, owner } = await h.organization();
    // Any member may ask for help: organization.read is enough.
    const member = await h.token(owner.userId, accountId, "member");
    const res = await call("POST", ticketsPath(accountId), {
      token: member,
      body: { subject: "We were charged twice this month", description: "See invoice 42" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ticket_id: expect.stringMatching(/^tkt_[0-9a-f]{20}$/),
      account_id: accountId,
      status: "open",
      category: "billing",
      priority: "high",
      triage_rule: "double_charge",
      requester_user_id: owner.userId,
      first_responded_at: null,
      resolved_at: null,
    });
    const opened = Date.parse(res.body.opened_at);
    expect(Date.parse(res.body.first_response_due_at)).toBe(opened + 4 * HOUR);
    expect(Date.parse(res.body.resolution_due_at)).toBe(opened + 24 * HOUR);

    const logged = await events(res.body.ticket_id);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      type: "TicketOpened",
      payload: {
        account_id: accountId,
        ticket_id: res.body.ticket_id,
        subject: "We were charged twice this month",
        description: "See invoice 42",
        priority: "high",
        category: "billing",
        ticket_status: "open",
        triage_rule: "double_charge",
        requester_user_id: owner.userId,
        first_response_due_at: opened + 4 * HOUR,
        resolution_due_at: opened + 24 * HOUR,
        occurred_at: opened,
        actor: { type: "user", id: owner.userId },
      },
    });

    // The relay encodes it with the registered Avro schema and publishes it.
    await waitFor(
      async () => {
        const rows = await h.service.db.$queryRawUnsafe<{ published_at: Date | null }[]>(
          "SELECT published_at FROM platform_events WHERE aggregate_id = $1",
          res.body.ticket_id,
        );
        return rows[0]?.published_at ?? undefined;
      },
      { what: "TicketOpened to be published" },
    );

    const listed = await call("GET", ticketsPath(accountId), { token: member });
    expect(listed.body.data.map((t: { ticket_id: string }) => t.ticket_id)).toEqual([res.body.ticket_id]);
  });

  it("lets an explicit priority win over triage, and skips triage when both are given", async () => {
    const { accountId, owner } = await h.organization();
    const partly = await call("POST", ticketsPath(accountId), {
      token: owner.token,
      body: { subject: "Possible security breach", priority: "low" },
    });
    expect(partly.body).toMatchObject({
      priority: "low",
      category: "security",
      triage_rule: "security_incident",
    });
    const fully = await call("POST", ticketsPath(accountId), {
      token: owner.token,
      body: { subject: "Possible security breach", priority: "medium", category: "other" },
    });
    expect(fully.body).toMatchObject({ priority: "medium", category: "other", triage_rule: null });
    const untriaged = await call("POST", ticketsPath(accountId), {
      token: owner.token,
      body: { subject: "A question about colours" },
    });
    expect(untriaged.body).toMatchObject({ priority: "medium", category: "other", triage_rule: null });
  });

  it.each(TICKET_PRIORITIES)("sets the SLA deadlines of a %s ticket", async (priority) => {
    const { accountId } = await h.organization();
    const ticket = await tickets.open(
      accountId,
      { subject: "Help", priority, category: "technical" },
      null,
      SYSTEM_ACTOR,
    );
    const opened = ticket.openedAt.getTime();
    expect(ticket.firstResponseDueAt.getTime()).toBe(opened + SLA_HOURS[priority].firstResponse * HOUR);
    expect(ticket.resolutionDueAt.getTime()).toBe(opened + SLA_HOURS[priority].resolution * HOUR);
  });

  it.each([
    ["an empty subject", { subject: "" }],
    ["a blank subject", { subject: "   " }],
    ["a 300-character subject", { subject: "x".repeat(300) }],
    ["an unknown priority", { subject: "Help", priority: "urgent" }],
    ["an unknown category", { subject: "Help", category: "gossip" }],
    ["no body", undefined],
  ])("refuses %s with 400 and writes nothing", async (_case, body) => {
    const { accountId, owner } = await h.organization();
    const res = await call("POST", ticketsPath(accountId), { token: owner.token, body });
    expect([res.status, res.body.code]).toEqual([400, "invalid_request_body"]);
    expect(await ticketEvents(accountId)).toBe(0n);
    expect(await inTenant(h.service.db, accountId, (tx) => tx.ticket.count())).toBe(0);
  });
});

// Only ticket events: the organization's own processes (onboarding) may still be appending theirs.
async function ticketEvents(accountId: string): Promise<bigint | undefined> {
  const rows = await h.service.db.$queryRawUnsafe<{ n: bigint }[]>(
    "SELECT count(*) AS n FROM platform_events WHERE aggregate_type = 'ticket' AND tenant_id = $1",
    accountId,
  );
  return rows[0]?.n;
}

describe("updating a ticket", () => {
  it("recomputes both deadlines from the opening when the priority changes (TicketUpdated)", async () => {
    const { accountId, owner } = await h.organization();
    const opened = await call("POST", ticketsPath(accountId), {
      token: owner.token,
      body: { subject: "Feature request: dark mode" },
    });
    expect(opened.body.priority).toBe("low");
    h.clock.advance(10 * MINUTE);
    const res = await call("PATCH", `${ticketsPath(accountId)}/${opened.body.ticket_id}`, {
      token: await h.token(owner.userId, accountId, "admin"),
      body: { priority: "critical", assignee_id: "agent_1" },
    });
    expect(res.status).toBe(200);
    const openedAt = Date.parse(opened.body.opened_at);
    expect(res.body).toMatchObject({
      priority: "critical",
      assignee_id: "agent_1",
      category: "feature_request",
    });
    expect(Date.parse(res.body.first_response_due_at)).toBe(openedAt + HOUR);
    expect(Date.parse(res.body.resolution_due_at)).toBe(openedAt + 4 * HOUR);
    const updated = (await events(opened.body.ticket_id)).at(-1);
    expect(updated).toMatchObject({
      type: "TicketUpdated",
      payload: {
        priority: "critical",
        assignee_id: "agent_1",
        first_response_due_at: openedAt + HOUR,
        resolution_due_at: openedAt + 4 * HOUR,
        changed_fields: ["priority", "first_response_due_at", "resolution_due_at", "assignee_id"],
      },
    });
  });

  it("resolves, reopens, records the first response once, and closes for good", async () => {
    const { accountId, owner } = await h.organization();
    const id = (await tickets.open(accountId, { subject: "Cannot log in" }, owner.userId, SYSTEM_ACTOR)).id;
    const path = `${ticketsPath(accountId)}/${id}`;
    const patch = (body: unknown) => call("PATCH", path, { token: owner.token, body });

    const responded = await patch({ first_response: true, status: "pending" });
    expect(responded.body).toMatchObject({ status: "pending", first_responded_at: expect.any(String) });
    const again = await patch({ first_response: true });
    expect([again.status, again.body.first_responded_at]).toEqual([200, responded.body.first_responded_at]);

    const resolved = await patch({ status: "resolved" });
    expect(resolved.body.resolved_at).toEqual(expect.any(String));
    const reopened = await patch({ status: "open" });
    expect([reopened.body.status, reopened.body.resolved_at]).toEqual(["open", null]);
    const closed = await patch({ status: "closed" });
    expect(closed.body.status).toBe("closed");
    for (const body of [{ status: "open" }, { assignee_id: "agent_2" }, { first_response: true }]) {
      const refused = await patch(body);
      expect([refused.status, refused.body.code]).toEqual([409, "ticket_closed"]);
    }

    expect((await events(id)).map((e) => [e.type, e.payload.changed_fields])).toEqual([
      ["TicketOpened", undefined],
      ["TicketUpdated", ["first_responded_at", "ticket_status"]],
      ["TicketUpdated", ["ticket_status", "resolved_at"]],
      ["TicketUpdated", ["ticket_status", "resolved_at"]],
      ["TicketUpdated", ["ticket_status"]],
    ]);
    expect((await tickets.list(accountId, { status: "closed" })).map((t) => t.id)).toEqual([id]);
    expect(await tickets.list(accountId, { status: "open" })).toEqual([]);
  });

  it.each([
    ["an unknown status", { status: "archived" }],
    ["an unknown priority", { priority: "urgent" }],
    ["first_response other than true", { first_response: false }],
  ])("refuses %s with 400 and writes nothing", async (_case, body) => {
    const { accountId, owner } = await h.organization();
    const ticket = await tickets.open(accountId, { subject: "Help" }, null, SYSTEM_ACTOR);
    const res = await call("PATCH", `${ticketsPath(accountId)}/${ticket.id}`, { token: owner.token, body });
    expect([res.status, res.body.code]).toEqual([400, "invalid_request_body"]);
    expect(await events(ticket.id)).toHaveLength(1);
    expect(await tickets.get(accountId, ticket.id)).toEqual(ticket);
  });

  it("refuses an update that asks for nothing", async () => {
    const { accountId, owner } = await h.organization();
    const ticket = await tickets.open(accountId, { subject: "Help" }, null, SYSTEM_ACTOR);
    const res = await call("PATCH", `${ticketsPath(accountId)}/${ticket.id}`, {
      token: owner.token,
      body: {},
    });
    expect([res.status, res.body.code]).toEqual([400, "empty_ticket_update"]);
    expect(await events(ticket.id)).toHaveLength(1);
  });

  it("lets members open tickets but not change them", async () => {
    const { accountId, owner } = await h.organization();
    const member = await h.token(owner.userId, accountId, "member");
    const opened = await call("POST", ticketsPath(accountId), { token: member, body: { subject: "Help" } });
    const res = await call("PATCH", `${ticketsPath(accountId)}/${opened.body.ticket_id}`, {
      token: member,
      body: { status: "closed" },
    });
    expect([res.status, res.body.code]).toEqual([403, "permission_denied"]);
  });

  it("refuses a status filter it does not know", async () => {
    const { accountId, owner } = await h.organization();
    const res = await call("GET", `${ticketsPath(accountId)}?status=archived`, { token: owner.token });
    expect([res.status, res.body.code]).toEqual([400, "unknown_ticket_status"]);
  });
});

describe("tenant isolation", () => {
  it("hides another organization's ticket: 404 through one's own path, 403 through theirs", async () => {
    const a = await h.organization("A");
    const b = await h.organization("B");
    const theirs = await call("POST", ticketsPath(b.accountId), {
      token: b.owner.token,
      body: { subject: "B" },
    });
    const id = theirs.body.ticket_id;

    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { status: "closed" }],
    ] as const) {
      const own = await call(method, `${ticketsPath(a.accountId)}/${id}`, { token: a.owner.token, body });
      expect([own.status, own.body.code]).toEqual([404, "ticket_not_found"]);
      const other = await call(method, `${ticketsPath(b.accountId)}/${id}`, { token: a.owner.token, body });
      expect([other.status, other.body.code]).toEqual([403, "account_mismatch"]);
    }
    const listed = await call("GET", ticketsPath(a.accountId), { token: a.owner.token });
    expect(listed.body.data).toEqual([]);
    await expect(tickets.get(a.accountId, id)).rejects.toMatchObject({ code: "ticket_not_found" });
    expect((await tickets.get(b.accountId, id)).status).toBe("open");
  });
});

// Last: it moves the shared clock hours ahead, and earlier tests' tokens would expire.
describe("SLA sweep", () => {
  it("warns at 80 % and reports the breach at 100 %, once each, in every organization", async () => {
    const a = await h.organization("A");
    const b = await h.organization("B");
    const open = (accountId: string, subject: string) =>
      tickets.open(accountId, { subject, priority: "critical", category: "technical" }, null, SYSTEM_ACTOR);
    const late = await open(a.accountId, "Late");
    const answered = await open(b.accountId, "Answered");
    const resolved = await open(b.accountId, "Resolved");
    await tickets.update(b.accountId, answered.id, { first_response: true }, SYSTEM_ACTOR);
    await tickets.update(b.accountId, resolved.id, { status: "resolved" }, SYSTEM_ACTOR);
    await tickets.sweepSla();
    const alerts = async (id: string) =>
      (await events(id))
        .filter((e) => e.type === "SlaWarning" || e.type === "SlaBreached")
        .map((e) => `${e.payload.sla}:${e.type}`);
    expect(await alerts(late.id)).toEqual([]);

    // Critical: first response within 1 h, resolution within 4 h.
    h.clock.advance(48 * MINUTE);
    expect(await tickets.sweepSla()).toBeGreaterThanOrEqual(1);
    expect(await alerts(late.id)).toEqual(["first_response:SlaWarning"]);
    expect(await tickets.sweepSla()).toBe(0);

    h.clock.advance(13 * MINUTE);
    await tickets.sweepSla();
    expect(await alerts(late.id)).toEqual(["first_response:SlaWarning", "first_response:SlaBreached"]);
    const breach = (await events(late.id)).at(-1);
    expect(breach).toMatchObject({
      type: "SlaBreached",
      payload: {
        account_id: a.accountId,
        ticket_id: late.id,
        priority: "critical",
        sla: "first_response",
        due_at: late.firstResponseDueAt.getTime(),
        elapsed_percent: expect.any(Number),
        actor: { type: "system" },
      },
    });
    expect(breach?.payload.elapsed_percent).toBeGreaterThanOrEqual(100);

    // 200 of 240 minutes: the resolution window is past 80 %, for the answered ticket too.
    h.clock.advance(139 * MINUTE);
    await tickets.sweepSla();
    h.clock.advance(45 * MINUTE);
    await tickets.sweepSla();
    expect(await tickets.sweepSla()).toBe(0);
    expect(await alerts(late.id)).toEqual([
      "first_response:SlaWarning",
      "first_response:SlaBreached",
      "resolution:SlaWarning",
      "resolution:SlaBreached",
    ]);
    // The answered ticket still owed a resolution; the resolved one owes nothing.
    expect(await alerts(answered.id)).toEqual(["resolution:SlaWarning", "resolution:SlaBreached"]);
    expect(await alerts(resolved.id)).toEqual([]);
    expect((await tickets.get(a.accountId, late.id)).alertsSent).toEqual([
      "first_response:warning",
      "first_response:breach",
      "resolution:warning",
      "resolution:breach",
    ]);
  });
});
