import type { TenancyPayloads } from "@platform/contracts";
import { ConflictError } from "@platform/errors";
import { type Decided, TenancyEvent } from "./events";
import { type SlaAlertKey, slaAlerts, slaDeadlines, type TicketPriority } from "./sla";
import { type TicketCategory, triageTicket } from "./triage";

/**
 * The ticket aggregate: support tickets with their SLA clocks. Pure rules, no I/O: `decide` turns a
 * command and the ticket as read into events, `evolve` folds an event into the ticket (what the
 * inline projection writes to `tickets`).
 */
export const TICKET_STATUSES = ["open", "pending", "resolved", "closed"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface TicketState {
  id: string;
  accountId: string;
  subject: string;
  description: string | null;
  priority: string;
  category: string;
  status: string;
  assigneeId: string | null;
  requesterUserId: string | null;
  triageRule: string | null;
  openedAt: Date;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  /** SLA alerts already raised ("first_response:warning", ...), so each is raised once. */
  alertsSent: string[];
  /** The version of the ticket's last event (0 before it exists). */
  version: number;
}

export type TicketCommand =
  | {
      kind: "open";
      id: string;
      subject: string;
      description: string | null;
      priority?: TicketPriority;
      category?: TicketCategory;
      requesterUserId: string | null;
    }
  | {
      kind: "update";
      priority?: TicketPriority;
      category?: TicketCategory;
      status?: TicketStatus;
      assignee_id?: string | null;
      first_response?: true;
    }
  /** The SLA sweep: every warning and breach due now and not raised yet. */
  | { kind: "sweep" };

type TicketOpened = TenancyPayloads[typeof TenancyEvent.TicketOpened];
type TicketUpdated = TenancyPayloads[typeof TenancyEvent.TicketUpdated];
type SlaWarning = TenancyPayloads[typeof TenancyEvent.SlaWarning];
type SlaBreached = TenancyPayloads[typeof TenancyEvent.SlaBreached];

export type TicketEvent =
  | { type: typeof TenancyEvent.TicketOpened; data: Decided<TicketOpened> }
  | { type: typeof TenancyEvent.TicketUpdated; data: Decided<TicketUpdated> }
  | { type: typeof TenancyEvent.SlaWarning; data: Decided<SlaWarning> }
  | { type: typeof TenancyEvent.SlaBreached; data: Decided<SlaBreached> };

export type TicketHistoryEvent = { version: number; occurredAt: Date } & (
  | { type: typeof TenancyEvent.TicketOpened; data: TicketOpened }
  | { type: typeof TenancyEvent.TicketUpdated; data: TicketUpdated }
  | { type: typeof TenancyEvent.SlaWarning; data: SlaWarning }
  | { type: typeof TenancyEvent.SlaBreached; data: SlaBreached }
);

const ms = (d: Date | null) => d?.getTime() ?? null;
const date = (value: number | null) => (value === null ? null : new Date(value));

/** The fields TicketOpened and TicketUpdated share: the ticket as it stands. */
function standing(t: Omit<TicketState, "version" | "alertsSent" | "accountId">) {
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

/** The events a command implies on the ticket as read (null: not opened yet), at `now`. */
export function decide(state: TicketState | null, command: TicketCommand, now: Date): TicketEvent[] {
  if (command.kind === "open") {
    if (state) throw new ConflictError("ticket_exists", `ticket ${command.id} exists`);
    const { subject, description } = command;
    // Triage also runs when only one of the two is given, to fill in the other; the given one wins.
    const triage = command.priority && command.category ? null : triageTicket({ subject, description });
    const priority = command.priority ?? triage?.priority ?? "medium";
    const due = slaDeadlines(priority, now);
    const ticket = {
      id: command.id,
      subject,
      description,
      priority,
      category: command.category ?? triage?.category ?? "other",
      status: "open",
      assigneeId: null,
      requesterUserId: command.requesterUserId,
      triageRule: triage?.ruleId ?? null,
      openedAt: now,
      ...due,
      firstRespondedAt: null,
      resolvedAt: null,
    };
    return [
      {
        type: TenancyEvent.TicketOpened,
        data: { ...standing(ticket), description, triage_rule: ticket.triageRule },
      },
    ];
  }
  if (!state) throw new Error("decide: only open applies to a ticket that does not exist");
  if (command.kind === "sweep") {
    // A closed organization's and a closed ticket's clocks are not swept (the caller picks open ones).
    const alerts = slaAlerts(
      {
        priority: state.priority,
        openedAt: state.openedAt,
        firstRespondedAt: state.firstRespondedAt,
        resolvedAt: state.resolvedAt,
        alreadySent: new Set(state.alertsSent as SlaAlertKey[]),
      },
      now,
    );
    return alerts.map((alert) => ({
      type: alert.kind === "breach" ? TenancyEvent.SlaBreached : TenancyEvent.SlaWarning,
      data: {
        ticket_id: state.id,
        priority: state.priority,
        sla: alert.sla,
        due_at: alert.dueAt.getTime(),
        elapsed_percent: alert.elapsedPercent,
      },
    }));
  }

  if (state.status === "closed")
    throw new ConflictError("ticket_closed", `ticket ${state.id} is closed and cannot change`);
  const next = { ...state };
  // Named as in the event payload, since that is where consumers read them.
  const changed: string[] = [];
  if (command.priority !== undefined && command.priority !== state.priority) {
    const due = slaDeadlines(command.priority, state.openedAt);
    next.priority = command.priority;
    next.firstResponseDueAt = due.firstResponseDueAt;
    next.resolutionDueAt = due.resolutionDueAt;
    changed.push("priority", "first_response_due_at", "resolution_due_at");
  }
  if (command.category !== undefined && command.category !== state.category) {
    next.category = command.category;
    changed.push("category");
  }
  if (command.assignee_id !== undefined && command.assignee_id !== state.assigneeId) {
    next.assigneeId = command.assignee_id;
    changed.push("assignee_id");
  }
  if (command.first_response && state.firstRespondedAt === null) {
    next.firstRespondedAt = now;
    changed.push("first_responded_at");
  }
  if (command.status !== undefined && command.status !== state.status) {
    next.status = command.status;
    changed.push("ticket_status");
    if (command.status === "resolved") {
      next.resolvedAt = now;
      changed.push("resolved_at");
    } else if (state.status === "resolved" && command.status !== "closed") {
      // Reopened: the resolution SLA runs again (a resolvedAt would tell the sweep it was met).
      next.resolvedAt = null;
      changed.push("resolved_at");
    }
  }
  if (changed.length === 0) return [];
  return [{ type: TenancyEvent.TicketUpdated, data: { ...standing(next), changed_fields: changed } }];
}

/** An event of the ticket folded into it; times come from the event, never the wall clock. */
export function evolve(state: TicketState | null, event: TicketHistoryEvent): TicketState {
  if (event.type === TenancyEvent.TicketOpened) {
    const { data } = event;
    return {
      id: data.ticket_id,
      accountId: data.account_id,
      subject: data.subject,
      description: data.description,
      priority: data.priority,
      category: data.category,
      status: data.ticket_status,
      assigneeId: data.assignee_id,
      requesterUserId: data.requester_user_id,
      triageRule: data.triage_rule,
      openedAt: event.occurredAt,
      firstResponseDueAt: new Date(data.first_response_due_at),
      resolutionDueAt: new Date(data.resolution_due_at),
      firstRespondedAt: date(data.first_responded_at),
      resolvedAt: date(data.resolved_at),
      alertsSent: [],
      version: event.version,
    };
  }
  if (!state) throw new Error(`evolve: ${event.type} on a ticket that does not exist`);
  switch (event.type) {
    case TenancyEvent.TicketUpdated: {
      const { data } = event;
      return {
        ...state,
        subject: data.subject,
        priority: data.priority,
        category: data.category,
        status: data.ticket_status,
        assigneeId: data.assignee_id,
        requesterUserId: data.requester_user_id,
        firstResponseDueAt: new Date(data.first_response_due_at),
        resolutionDueAt: new Date(data.resolution_due_at),
        firstRespondedAt: date(data.first_responded_at),
        resolvedAt: date(data.resolved_at),
        // Alerts already raised were about the old deadlines; the new ones deserve their own.
        alertsSent: data.changed_fields.includes("priority") ? [] : state.alertsSent,
        version: event.version,
      };
    }
    case TenancyEvent.SlaWarning:
      return {
        ...state,
        alertsSent: [...state.alertsSent, `${event.data.sla}:warning`],
        version: event.version,
      };
    case TenancyEvent.SlaBreached:
      return {
        ...state,
        alertsSent: [...state.alertsSent, `${event.data.sla}:breach`],
        version: event.version,
      };
  }
}
