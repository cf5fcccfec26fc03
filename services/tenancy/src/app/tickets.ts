import { randomBytes } from "node:crypto";
import { allTenantIds, inTenant } from "@platform/database";
import { ConflictError, InvalidInputError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import { type Actor, SYSTEM_ACTOR, TenancyEvent } from "../domain/events";
import { type SlaAlertKey, slaAlerts, slaDeadlines, TICKET_PRIORITIES } from "../domain/sla";
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_SUBJECT_LENGTH,
  TICKET_CATEGORIES,
  triageTicket,
} from "../domain/triage";
import type { Ticket } from "../generated/prisma/client";
import { accountIsClosed, type Db, record, type Tx } from "./tenant";

export const TICKET_STATUSES = ["open", "pending", "resolved", "closed"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
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
const ms = (d: Date | null) => d?.getTime() ?? null;

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

/** The fields TicketOpened and TicketUpdated share: the ticket as it stands. */
function ticketPayload(t: Ticket) {
  return {
    ticket_id: t.id,
    subject: t.subject,
    priority: t.priority,
    category: t.category,
    ticket_status: t.status,
    assignee_id: t.assigneeId,
    requester_user_id: t.requesterUserId,
    first_response_due_at: t.firstResponseDueAt.getTime(),
    resolution_due_at: t.resolutionDueAt.getTime(),
    first_responded_at: ms(t.firstRespondedAt),
    resolved_at: ms(t.resolvedAt),
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
    const description = input.description ? input.description : null;
    // Triage also runs when only one of the two is given, to fill in the other; the given one wins.
    const triage =
      input.priority && input.category ? null : triageTicket({ subject: input.subject, description });
    const priority = input.priority ?? triage?.priority ?? "medium";
    const category = input.category ?? triage?.category ?? "other";
    const now = this.clock.now();
    const due = slaDeadlines(priority, now);
    return inTenant(this.db, accountId, async (tx) => {
      await this.requireOrganization(tx, accountId);
      const ticket = await tx.ticket.create({
        data: {
          id: `tkt_${randomBytes(10).toString("hex")}`,
          accountId,
          subject: input.subject,
          description,
          priority,
          category,
          status: "open",
          requesterUserId,
          triageRule: triage?.ruleId ?? null,
          openedAt: now,
          firstResponseDueAt: due.firstResponseDueAt,
          resolutionDueAt: due.resolutionDueAt,
        },
      });
      await record(
        this.store,
        tx,
        { type: "ticket", id: ticket.id, accountId },
        [
          {
            type: TenancyEvent.TicketOpened,
            data: { ...ticketPayload(ticket), description, triage_rule: ticket.triageRule },
          },
        ],
        actor,
        now,
      );
      return ticket;
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
      const ticket = await this.require(tx, accountId, ticketId, { forUpdate: true });
      if (ticket.status === "closed")
        throw new ConflictError("ticket_closed", `ticket ${ticketId} is closed and cannot change`);
      const now = this.clock.now();
      const data: Partial<Ticket> = {};
      // Named as in the event payload, since that is where consumers read them.
      const changed: string[] = [];

      if (input.priority !== undefined && input.priority !== ticket.priority) {
        const due = slaDeadlines(input.priority, ticket.openedAt);
        data.priority = input.priority;
        data.firstResponseDueAt = due.firstResponseDueAt;
        data.resolutionDueAt = due.resolutionDueAt;
        // Alerts already sent were about the old deadlines; the new ones deserve their own.
        data.alertsSent = [];
        changed.push("priority", "first_response_due_at", "resolution_due_at");
      }
      if (input.category !== undefined && input.category !== ticket.category) {
        data.category = input.category;
        changed.push("category");
      }
      if (input.assignee_id !== undefined && input.assignee_id !== ticket.assigneeId) {
        data.assigneeId = input.assignee_id;
        changed.push("assignee_id");
      }
      if (input.first_response && ticket.firstRespondedAt === null) {
        data.firstRespondedAt = now;
        changed.push("first_responded_at");
      }
      if (input.status !== undefined && input.status !== ticket.status) {
        data.status = input.status;
        changed.push("ticket_status");
        if (input.status === "resolved") {
          data.resolvedAt = now;
          changed.push("resolved_at");
        } else if (ticket.status === "resolved" && input.status !== "closed") {
          // Reopened: the resolution SLA runs again (a resolvedAt would tell the sweep it was met).
          data.resolvedAt = null;
          changed.push("resolved_at");
        }
      }
      if (changed.length === 0) return ticket;

      const updated = await tx.ticket.update({ where: { id: ticketId }, data });
      await record(
        this.store,
        tx,
        { type: "ticket", id: ticketId, accountId },
        [{ type: TenancyEvent.TicketUpdated, data: { ...ticketPayload(updated), changed_fields: changed } }],
        actor,
        now,
      );
      return updated;
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
        raised += await inTenant(this.db, accountId, (tx) => this.sweepTenant(tx, accountId, now));
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0)
      throw new AggregateError(failures, `SLA sweep failed for ${failures.length} organization(s)`);
    return raised;
  }

  private async sweepTenant(tx: Tx, accountId: string, now: Date): Promise<number> {
    // A closed organization's open tickets are left as they are: no alert is due to anyone any more.
    if (await accountIsClosed(tx, accountId)) return 0;
    // SKIP LOCKED: a ticket another sweep or an update holds is left for the next sweep, rather than
    // waited on, and two sweeps never both raise the same alert.
    const locked = await tx.$queryRawUnsafe<{ id: string }[]>(
      "SELECT id FROM tickets WHERE account_id = $1 AND status = ANY($2::text[]) FOR UPDATE SKIP LOCKED",
      accountId,
      ACTIVE_STATUSES,
    );
    if (locked.length === 0) return 0;
    const tickets = await tx.ticket.findMany({
      where: { id: { in: locked.map((row) => row.id) } },
      orderBy: { openedAt: "asc" },
    });
    let raised = 0;
    for (const ticket of tickets) {
      const alerts = slaAlerts(
        {
          priority: ticket.priority,
          openedAt: ticket.openedAt,
          firstRespondedAt: ticket.firstRespondedAt,
          resolvedAt: ticket.resolvedAt,
          alreadySent: new Set(ticket.alertsSent as SlaAlertKey[]),
        },
        now,
      );
      if (alerts.length === 0) continue;
      await tx.ticket.update({
        where: { id: ticket.id },
        data: { alertsSent: [...ticket.alertsSent, ...alerts.map((a) => `${a.sla}:${a.kind}`)] },
      });
      await record(
        this.store,
        tx,
        { type: "ticket", id: ticket.id, accountId },
        alerts.map((alert) => ({
          type: alert.kind === "breach" ? TenancyEvent.SlaBreached : TenancyEvent.SlaWarning,
          data: {
            ticket_id: ticket.id,
            priority: ticket.priority,
            sla: alert.sla,
            due_at: alert.dueAt.getTime(),
            elapsed_percent: alert.elapsedPercent,
          },
        })),
        SYSTEM_ACTOR,
        now,
      );
      raised += alerts.length;
    }
    return raised;
  }

  private async require(
    tx: Tx,
    accountId: string,
    ticketId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<Ticket> {
    if (options.forUpdate)
      await tx.$queryRawUnsafe("SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE", ticketId);
    const ticket = await tx.ticket.findFirst({ where: { id: ticketId, accountId } });
    if (!ticket) throw new NotFoundError("ticket_not_found", `ticket ${ticketId} does not exist`);
    return ticket;
  }

  private async requireOrganization(tx: Tx, accountId: string): Promise<void> {
    const org = await tx.organization.findUnique({ where: { accountId }, select: { accountId: true } });
    if (!org) throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
  }
}
