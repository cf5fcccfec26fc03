import { randomBytes } from "node:crypto";
import { allTenantIds, inTenant } from "@platform/database";
import { ConcurrencyConflictError, InvalidInputError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import { type Actor, SYSTEM_ACTOR } from "../domain/events";
import { TICKET_PRIORITIES } from "../domain/sla";
import { decide, TICKET_STATUSES, type TicketEvent, type TicketStatus } from "../domain/tickets";
import { MAX_DESCRIPTION_LENGTH, MAX_SUBJECT_LENGTH, TICKET_CATEGORIES } from "../domain/triage";
import type { Ticket } from "../generated/prisma/client";
import { accountIsClosed, type Db, record, type Tx } from "./tenant";

export { TICKET_STATUSES, type TicketStatus };

/** Statuses whose SLA clocks still run, so the sweep looks at them. */
const ACTIVE_STATUSES: readonly TicketStatus[] = ["open", "pending"];

const openBody = z.object({
  subject: z.string().trim().min(1).max(MAX_SUBJECT_LENGTH),
  description: z.string().max(MAX_DESCRIPTION_LENGTH).nullish(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  category: z.enum(TICKET_CATEGORIES).optional(),
});
const updateBody = z.object({
  priority: z.enum(TICKET_PRIORITIES).optional(),
  category: z.enum(TICKET_CATEGORIES).optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  assignee_id: z.string().trim().min(1).max(100).nullable().optional(),
  first_response: z.literal(true).optional(),
});
const listFilter = z.object({ status: z.enum(TICKET_STATUSES).optional() });

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function ticketJson(t: Ticket) {
  return {
    ticket_id: t.id,
    account_id: t.accountId,
    subject: t.subject,
    description: t.description,
    priority: t.priority,
    category: t.category,
    status: t.status,
    assignee_id: t.assigneeId,
    requester_user_id: t.requesterUserId,
    triage_rule: t.triageRule,
    opened_at: t.openedAt.toISOString(),
    first_response_due_at: t.firstResponseDueAt.toISOString(),
    resolution_due_at: t.resolutionDueAt.toISOString(),
    first_responded_at: iso(t.firstRespondedAt),
    resolved_at: iso(t.resolvedAt),
    sla_alerts_sent: t.alertsSent,
  };
}

/**
 * Support tickets of an organization: triaged on the way in unless the requester chose both priority
 * and category, with SLA deadlines from the priority, and a sweep that raises each SLA warning and
 * breach once.
 */
export class TicketService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async open(
    accountId: string,
    body: unknown,
    requesterUserId: string | null,
    actor: Actor,
  ): Promise<Ticket> {
    const input = parseBody(openBody, body);
    const now = this.clock.now();
    const id = `tkt_${randomBytes(10).toString("hex")}`;
    const events = decide(
      null,
      {
        kind: "open",
        id,
        subject: input.subject,
        description: input.description ? input.description : null,
        priority: input.priority,
        category: input.category,
        requesterUserId,
      },
      now,
    );
    return inTenant(this.db, accountId, async (tx) => {
      await this.requireOrganization(tx, accountId);
      await this.append(tx, accountId, id, 0, events, actor, now);
      return this.require(tx, accountId, id);
    });
  }

  async update(accountId: string, ticketId: string, body: unknown, actor: Actor): Promise<Ticket> {
    const input = parseBody(updateBody, body);
    if (Object.values(input).every((value) => value === undefined))
      throw new InvalidInputError(
        "empty_ticket_update",
        "give at least one of priority, category, status, assignee_id, first_response",
      );
    return inTenant(this.db, accountId, async (tx) => {
      // A plain read: a concurrent change of the same ticket is refused by the store (expected version).
      const ticket = await this.require(tx, accountId, ticketId);
      const now = this.clock.now();
      const events = decide(ticket, { kind: "update", ...input }, now);
      if (events.length === 0) return ticket;
      await this.append(tx, accountId, ticketId, ticket.version, events, actor, now);
      return this.require(tx, accountId, ticketId);
    });
  }

  async get(accountId: string, ticketId: string): Promise<Ticket> {
    return inTenant(this.db, accountId, (tx) => this.require(tx, accountId, ticketId));
  }

  async list(accountId: string, filter: { status?: unknown } = {}): Promise<Ticket[]> {
    const parsed = listFilter.safeParse(filter);
    if (!parsed.success)
      throw new InvalidInputError(
        "unknown_ticket_status",
        `status must be one of ${TICKET_STATUSES.join(", ")}`,
        {
          details: { field: "status", allowed: TICKET_STATUSES },
        },
      );
    const { status } = parsed.data;
    return inTenant(this.db, accountId, (tx) =>
      tx.ticket.findMany({
        where: { accountId, ...(status ? { status } : {}) },
        orderBy: [{ openedAt: "asc" }, { id: "asc" }],
      }),
    );
  }

  /**
   * Raises every SLA warning and breach due at `now` on open and pending tickets of every organization,
   * each once (recorded in alertsSent), and returns how many it raised. Safe to run late, twice or
   * from several replicas at once.
   */
  async sweepSla(now: Date = this.clock.now()): Promise<number> {
    // tickets has row-level security and this service's role cannot bypass it, so a plain findMany
    // outside a tenant sees nothing: each organization is swept in its own tenant transaction, which
    // also keeps one tenant's failure from undoing the others'.
    let raised = 0;
    const failures: unknown[] = [];
    for (const accountId of await allTenantIds(this.db)) {
      try {
        raised += await this.sweepTenant(accountId, now);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0)
      throw new AggregateError(failures, `SLA sweep failed for ${failures.length} organization(s)`);
    return raised;
  }

  /**
   * One transaction per ticket, each deciding on the ticket as read and appending at its version: of
   * two sweeps (or a sweep and an update) on one ticket, the second is refused by the store, and the
   * sweep leaves that ticket to its next run, which sees what the other wrote. No row is locked.
   */
  private async sweepTenant(accountId: string, now: Date): Promise<number> {
    const active = await inTenant(this.db, accountId, async (tx) =>
      // A closed organization's open tickets are left as they are: no alert is due to anyone any more.
      (await accountIsClosed(tx, accountId))
        ? []
        : tx.ticket.findMany({
            where: { accountId, status: { in: [...ACTIVE_STATUSES] } },
            select: { id: true },
            orderBy: [{ openedAt: "asc" }, { id: "asc" }],
          }),
    );
    let raised = 0;
    for (const { id } of active) {
      try {
        raised += await inTenant(this.db, accountId, async (tx) => {
          const ticket = await this.require(tx, accountId, id);
          const events = decide(ticket, { kind: "sweep" }, now);
          await this.append(tx, accountId, id, ticket.version, events, SYSTEM_ACTOR, now);
          return events.length;
        });
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
      }
    }
    return raised;
  }

  /** Appends what was decided on the ticket at its version; the inline handlers write the row. */
  private append(
    tx: Tx,
    accountId: string,
    ticketId: string,
    expectedVersion: number,
    events: TicketEvent[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    return record(
      this.store,
      tx,
      { type: "ticket", id: ticketId, accountId },
      events,
      actor,
      now,
      expectedVersion,
    );
  }

  private async require(tx: Tx, accountId: string, ticketId: string): Promise<Ticket> {
    const ticket = await tx.ticket.findFirst({ where: { id: ticketId, accountId } });
    if (!ticket) throw new NotFoundError("ticket_not_found", `ticket ${ticketId} does not exist`);
    return ticket;
  }

  private async requireOrganization(tx: Tx, accountId: string): Promise<void> {
    const org = await tx.organization.findUnique({ where: { accountId }, select: { accountId: true } });
    if (!org) throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
  }
}
