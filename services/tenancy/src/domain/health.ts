/**
 * The health aggregate (`health:${account_id}` in the log) and the facts it is computed from.
 *
 * Facts (sign-ins, payment failures, suspensions and payments) arrive on identity's and billing's
 * topics and are folded into `health_facts` by the read-model projector: each fold below is a set
 * union or a maximum, so the row does not depend on the order in which a replay interleaves the
 * topics' partitions, and folding an event twice changes nothing. The score is decided by the process
 * (`decideHealthScore`) from the facts and tenancy's own state at the time of computing, recorded as
 * HealthScoreCalculated (and HealthScoreDropped under the threshold), and folded into `health_scores`
 * by the inline handler (`evolveHealthScore`).
 */
import type { HealthScoreCalculated, HealthScoreDropped } from "@platform/contracts";
import { type Decided, TenancyEvent } from "./events";
import {
  crossedBelow,
  HEALTH_ATTENTION_THRESHOLD,
  type HealthScore,
  type HealthSignals,
  type PlanTier,
} from "./health-score";

const DAY_MS = 86_400_000;
const SIGN_IN_WINDOW_MS = 30 * DAY_MS;
const PAYMENT_FAILURE_WINDOW_MS = 90 * DAY_MS;

/** One organization's raw facts, as `health_facts` holds them. */
export interface HealthFacts {
  /** Sign-in times (ms) by person, sorted, within 30 days of that person's latest. */
  signIns: Record<string, number[]>;
  /** Payment failure times (ms), sorted, within 90 days of the latest. */
  paymentFailures: number[];
  suspendedAt: Date | null;
  invoicePaidAt: Date | null;
}

export const NO_HEALTH_FACTS: HealthFacts = {
  signIns: {},
  paymentFailures: [],
  suspendedAt: null,
  invoicePaidAt: null,
};

/**
 * Adds `at` to the times and keeps those within `windowMs` of the latest, sorted, once each: the same
 * set whatever order the times came in (a window relative to the apply time would not be).
 */
function withinWindow(times: readonly number[], at: number, windowMs: number): number[] {
  const all = [...new Set([...times, at])].sort((a, b) => a - b);
  const latest = all[all.length - 1] ?? at;
  return all.filter((t) => t > latest - windowMs);
}

const later = (current: Date | null, at: Date): Date => (current && current > at ? current : at);

export function withSignIn(facts: HealthFacts, userId: string, at: number): HealthFacts {
  return {
    ...facts,
    signIns: { ...facts.signIns, [userId]: withinWindow(facts.signIns[userId] ?? [], at, SIGN_IN_WINDOW_MS) },
  };
}

export function withPaymentFailure(facts: HealthFacts, at: number): HealthFacts {
  return { ...facts, paymentFailures: withinWindow(facts.paymentFailures, at, PAYMENT_FAILURE_WINDOW_MS) };
}

export function withSuspension(facts: HealthFacts, at: Date): HealthFacts {
  return { ...facts, suspendedAt: later(facts.suspendedAt, at) };
}

export function withInvoicePaid(facts: HealthFacts, at: Date): HealthFacts {
  return { ...facts, invoicePaidAt: later(facts.invoicePaidAt, at) };
}

/** Overdue while the latest suspension is later than the latest paid invoice. */
export function isOverdue(facts: HealthFacts): boolean {
  return (
    facts.suspendedAt !== null && (facts.invoicePaidAt === null || facts.suspendedAt > facts.invoicePaidAt)
  );
}

/** What the score reads from tenancy's own state when it is computed. */
export interface HealthContext {
  /** The time of computing (ms): windows are applied now, not when the facts arrived. */
  now: number;
  /** Members of the organization. */
  seats: number;
  /** The plan from the account traits; no plan, no billing signals. */
  plan: string | null;
  /** Tickets opened in the last 30 days. */
  recentTickets: { status: string; priority: string; alertsSent: string[] }[];
}

const PLAN_TIERS: readonly string[] = ["starter", "professional", "enterprise"] satisfies PlanTier[];

/** The signals `computeHealthScore` takes, from the facts and the organization's state at `context.now`. */
export function healthSignals(facts: HealthFacts, context: HealthContext): HealthSignals {
  const { now } = context;
  const recent = Object.values(facts.signIns).map((times) =>
    times.filter((t) => now - t <= SIGN_IN_WINDOW_MS),
  );
  const lastLogin = Math.max(0, ...recent.flat());
  const tickets = context.recentTickets;
  return {
    usage: { seats: context.seats, activeUsers30d: recent.filter((times) => times.length > 0).length },
    engagement:
      Object.keys(facts.signIns).length > 0
        ? {
            daysSinceLastLogin: lastLogin ? Math.floor((now - lastLogin) / DAY_MS) : 60,
            logins30d: recent.flat().length,
          }
        : null,
    billing: context.plan
      ? {
          paymentFailures90d: facts.paymentFailures.filter((t) => now - t <= PAYMENT_FAILURE_WINDOW_MS)
            .length,
          overdueInvoices: isOverdue(facts) ? 1 : 0,
          planTier: PLAN_TIERS.includes(context.plan) ? (context.plan as PlanTier) : null,
        }
      : null,
    support: {
      openTickets: tickets.filter((t) => t.status === "open" || t.status === "pending").length,
      criticalTickets30d: tickets.filter((t) => t.priority === "critical").length,
      slaBreaches30d: tickets.filter((t) => t.alertsSent.some((a) => a.endsWith(":breach"))).length,
    },
  };
}

/** One factor's share as recorded (a type, not an interface: it is written to a JSON column as is). */
export type RecordedFactor = { name: string; score: number; weight: number; contribution: number };

/** The health aggregate's state, `health_scores`' row. */
export interface HealthScoreState {
  accountId: string;
  score: number;
  factors: RecordedFactor[];
  calculatedAt: Date;
  /** The version of the aggregate's last event: a recalculation's expected version. */
  version: number;
}

export type HealthScoreEvent =
  | { type: typeof TenancyEvent.HealthScoreCalculated; data: Decided<HealthScoreCalculated> }
  | { type: typeof TenancyEvent.HealthScoreDropped; data: Decided<HealthScoreDropped> };

/**
 * A new score is recorded when it differs from the last one, with each factor's share; crossing under
 * the threshold is an alert too (a first score already under it counts as a drop from full health).
 */
export function decideHealthScore(
  state: Pick<HealthScoreState, "score"> | null,
  health: HealthScore,
): HealthScoreEvent[] {
  const previous = state?.score ?? null;
  if (previous === health.score) return [];
  const factors = health.factors.map(({ name, score, weight, contribution }) => ({
    name,
    score,
    weight,
    contribution,
  }));
  const events: HealthScoreEvent[] = [
    {
      type: TenancyEvent.HealthScoreCalculated,
      data: { score: health.score, previous_score: previous, factors },
    },
  ];
  if (crossedBelow(previous, health.score, HEALTH_ATTENTION_THRESHOLD))
    events.push({
      type: TenancyEvent.HealthScoreDropped,
      data: {
        score: health.score,
        previous_score: previous ?? 100,
        threshold: HEALTH_ATTENTION_THRESHOLD,
        factors,
      },
    });
  return events;
}

/** A stored HealthScoreCalculated folded into the state; the time is the event's. */
export function evolveHealthScore(event: {
  version: number;
  occurredAt: Date;
  data: HealthScoreCalculated;
}): HealthScoreState {
  return {
    accountId: event.data.account_id,
    score: event.data.score,
    factors: event.data.factors.map(
      ({ name, score, weight, contribution }): RecordedFactor => ({ name, score, weight, contribution }),
    ),
    calculatedAt: event.occurredAt,
    version: event.version,
  };
}
