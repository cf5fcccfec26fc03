/**
 * Support SLAs from seed 001 ("SLA monitoring"): per priority, hours to first response and to
 * resolution; a warning at 80 % of each window and a breach at 100 %.
 *
 * Windows run around the clock (24/7): business hours, weekends and holidays are not modelled, so
 * a low-priority ticket opened on Friday evening can breach over the weekend. That is the seed's
 * rule, and modelling calendars would need per-organization time zones and holiday lists.
 *
 * slaAlerts is written for a periodic sweep that may run late, twice, or after an outage: it
 * returns every alert due now that is not in `alreadySent`, so repeated sweeps are idempotent once
 * the caller records what it sent. An SLA that has been met raises nothing more, even if it was met
 * late. A warning that falls due after its breach is also due is dropped: telling someone a deadline
 * is near when it has already passed is noise. A resolved ticket stops first-response alerts too,
 * since resolving it answered the customer.
 */
import { InvalidInputError } from "@platform/errors";

export const TICKET_PRIORITIES = ["critical", "high", "medium", "low"] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export type SlaName = "first_response" | "resolution";
export type SlaAlertKind = "warning" | "breach";
export type SlaAlertKey = `${SlaName}:${SlaAlertKind}`;

export const SLA_HOURS: Readonly<Record<TicketPriority, { firstResponse: number; resolution: number }>> =
  Object.freeze({
    critical: { firstResponse: 1, resolution: 4 },
    high: { firstResponse: 4, resolution: 24 },
    medium: { firstResponse: 8, resolution: 48 },
    low: { firstResponse: 24, resolution: 120 },
  });

export const SLA_WARNING_PERCENT = 80;

const HOUR_MS = 3_600_000;

export interface SlaDeadlines {
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
}

export interface SlaTicket {
  priority: string;
  openedAt: Date;
  firstRespondedAt: Date | null;
  resolvedAt: Date | null;
  alreadySent: ReadonlySet<SlaAlertKey>;
}

export interface SlaAlert {
  sla: SlaName;
  kind: SlaAlertKind;
  /** The SLA's deadline (the same for its warning and its breach). */
  dueAt: Date;
  /** Share of the window elapsed at `now`, rounded down; above 100 once breached. */
  elapsedPercent: number;
}

export function isTicketPriority(value: unknown): value is TicketPriority {
  return typeof value === "string" && (TICKET_PRIORITIES as readonly string[]).includes(value);
}

function policyOf(priority: unknown): { firstResponse: number; resolution: number } {
  if (!isTicketPriority(priority)) {
    throw new InvalidInputError("unknown_ticket_priority", `unknown ticket priority ${String(priority)}`, {
      details: { priority, allowed: TICKET_PRIORITIES },
    });
  }
  return SLA_HOURS[priority];
}

function checkDate(field: string, value: unknown, nullable = false): void {
  if (nullable && value === null) return;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidInputError("invalid_date", `${field} must be a valid Date`, { details: { field } });
  }
}

export function slaDeadlines(priority: TicketPriority, openedAt: Date): SlaDeadlines {
  const policy = policyOf(priority);
  checkDate("openedAt", openedAt);
  const opened = openedAt.getTime();
  return {
    firstResponseDueAt: new Date(opened + policy.firstResponse * HOUR_MS),
    resolutionDueAt: new Date(opened + policy.resolution * HOUR_MS),
  };
}

export function slaAlerts(ticket: SlaTicket, now: Date): SlaAlert[] {
  if (ticket === null || typeof ticket !== "object") {
    throw new InvalidInputError("invalid_sla_ticket", "ticket must be an object", { details: {} });
  }
  const policy = policyOf(ticket.priority);
  checkDate("openedAt", ticket.openedAt);
  checkDate("firstRespondedAt", ticket.firstRespondedAt, true);
  checkDate("resolvedAt", ticket.resolvedAt, true);
  checkDate("now", now);
  if (!(ticket.alreadySent instanceof Set)) {
    throw new InvalidInputError("invalid_sla_ticket", "alreadySent must be a Set", { details: {} });
  }

  const opened = ticket.openedAt.getTime();
  const elapsedMs = now.getTime() - opened;
  const resolved = ticket.resolvedAt !== null;
  const slas: Array<{ sla: SlaName; hours: number; met: boolean }> = [
    { sla: "first_response", hours: policy.firstResponse, met: ticket.firstRespondedAt !== null || resolved },
    { sla: "resolution", hours: policy.resolution, met: resolved },
  ];

  const alerts: SlaAlert[] = [];
  for (const { sla, hours, met } of slas) {
    if (met) continue;
    const windowMs = hours * HOUR_MS;
    // Integer arithmetic on milliseconds: the 80 % mark is exact, never a float a hair early or late.
    const kind: SlaAlertKind | null =
      elapsedMs >= windowMs ? "breach" : elapsedMs * 100 >= windowMs * SLA_WARNING_PERCENT ? "warning" : null;
    if (kind === null || ticket.alreadySent.has(`${sla}:${kind}`)) continue;
    alerts.push({
      sla,
      kind,
      dueAt: new Date(opened + windowMs),
      elapsedPercent: Math.floor((elapsedMs * 100) / windowMs),
    });
  }
  return alerts;
}
