import { enterTenant } from "@platform/database";
import type { Clock, EventStore, NewEvent } from "@platform/event-sourcing";
import { SYSTEM_ACTOR, TenancyEvent } from "../domain/events";
import {
  computeHealthScore,
  crossedBelow,
  HEALTH_ATTENTION_THRESHOLD,
  type HealthSignals,
  type PlanTier,
} from "../domain/health-score";
import {
  type AssignmentRule,
  chooseRep,
  decideAssignment,
  orderRules,
  validateRules,
} from "../domain/success-reps";
import { record, type Tx } from "./tenant";

const DAY_MS = 86_400_000;

/** What the signals table keeps per organization: raw facts, windows applied at computation time. */
interface SignalFacts {
  /** Sign-in times by person (ms), last 30 days. */
  signIns?: Record<string, number[]>;
  /** Payment failure times (ms), last 90 days. */
  paymentFailures?: number[];
  overdue?: boolean;
}

/**
 * Customer success: the health score (usage, engagement, billing and support signals gathered from
 * the events that carry them, recomputed when one arrives) and the success representative chosen by
 * rules, round-robin within a rule.
 */
export class CustomerSuccessService {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly rules: AssignmentRule[],
  ) {
    validateRules(rules);
  }

  /** Folds one fact into the organization's signals, then recomputes the score. */
  async observe(tx: Tx, accountId: string, change: (facts: SignalFacts) => void): Promise<void> {
    await enterTenant(tx, accountId);
    if (!(await tx.organization.findUnique({ where: { accountId } }))) return;
    const row = await tx.healthSignals.findUnique({ where: { accountId } });
    const facts = ((row?.signals as SignalFacts | undefined) ?? {}) as SignalFacts;
    change(facts);
    await tx.healthSignals.upsert({
      where: { accountId },
      create: { accountId, signals: facts as object },
      update: { signals: facts as object },
    });
    await this.recalculate(tx, accountId);
  }

  async recalculate(tx: Tx, accountId: string): Promise<number> {
    const now = this.clock.now().getTime();
    const row = await tx.healthSignals.findUnique({ where: { accountId } });
    const facts = ((row?.signals as SignalFacts | undefined) ?? {}) as SignalFacts;
    const traits = await tx.accountTraits.findUnique({ where: { accountId } });
    const seats = await tx.membership.count({ where: { accountId, groupId: accountId } });
    const recent = Object.values(facts.signIns ?? {}).map((times) =>
      times.filter((t) => now - t <= 30 * DAY_MS),
    );
    const lastLogin = Math.max(0, ...recent.flat());
    const tickets = await tx.ticket.findMany({
      where: { accountId, openedAt: { gte: new Date(now - 30 * DAY_MS) } },
    });
    const signals: HealthSignals = {
      usage: { seats, activeUsers30d: recent.filter((times) => times.length > 0).length },
      engagement: facts.signIns
        ? {
            daysSinceLastLogin: lastLogin ? Math.floor((now - lastLogin) / DAY_MS) : 60,
            logins30d: recent.flat().length,
          }
        : null,
      billing: traits?.plan
        ? {
            paymentFailures90d: (facts.paymentFailures ?? []).filter((t) => now - t <= 90 * DAY_MS).length,
            overdueInvoices: facts.overdue ? 1 : 0,
            planTier: (["starter", "professional", "enterprise"].includes(traits.plan)
              ? traits.plan
              : null) as PlanTier | null,
          }
        : null,
      support: {
        openTickets: tickets.filter((t) => t.status === "open" || t.status === "pending").length,
        criticalTickets30d: tickets.filter((t) => t.priority === "critical").length,
        slaBreaches30d: tickets.filter((t) => t.alertsSent.some((a) => a.endsWith(":breach"))).length,
      },
    };
    const health = computeHealthScore(signals);
    const previous = row?.score ?? null;
    if (previous === health.score && row?.factors) return health.score;
    await tx.healthSignals.update({
      where: { accountId },
      data: {
        score: health.score,
        // Copied into plain objects: Prisma's JSON input accepts those, not an interface type.
        factors: health.factors.map((factor) => ({ ...factor })),
        calculatedAt: new Date(now),
      },
    });
    const factors = health.factors.map(({ name, score, weight, contribution }) => ({
      name,
      score,
      weight,
      contribution,
    }));
    const events: NewEvent[] = [
      {
        type: TenancyEvent.HealthScoreCalculated,
        data: { score: health.score, previous_score: previous, factors },
      },
    ];
    if (crossedBelow(previous, health.score, HEALTH_ATTENTION_THRESHOLD))
      events.push({
        type: TenancyEvent.HealthScoreDropped,
        // A first score already under the threshold counts as a drop from full health.
        data: {
          score: health.score,
          previous_score: previous ?? 100,
          threshold: HEALTH_ATTENTION_THRESHOLD,
          factors,
        },
      });
    await record(
      this.store,
      tx,
      { type: "health", id: `health:${accountId}`, accountId },
      events,
      SYSTEM_ACTOR,
      new Date(now),
    );
    return health.score;
  }

  /**
   * Chooses (or re-chooses) the organization's success rep by the rules. A rule's round-robin spans
   * organizations, which no one assignment's version guards: assignments take turns per rule (a
   * transaction-scoped advisory lock, no row written), so two organizations never read the same
   * cursor. The cursor itself is written by the SuccessRepAssigned inline handler.
   */
  async assignRep(tx: Tx, accountId: string, planFromEvent?: string): Promise<string | null> {
    if (this.rules.length === 0) return null;
    await enterTenant(tx, accountId);
    const org = await tx.organization.findUnique({ where: { accountId } });
    if (!org) return null;
    const traits = await tx.accountTraits.findUnique({ where: { accountId } });
    const cursors = new Map<string, number>();
    for (const rule of orderRules(this.rules)) {
      await tx.$queryRawUnsafe(
        "SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext($1))",
        `rep_cursor:${rule.id}`,
      );
      cursors.set(rule.id, (await tx.repCursor.findUnique({ where: { ruleId: rule.id } }))?.cursor ?? 0);
    }
    const choice = chooseRep(
      this.rules,
      // The plan event that triggered this may be ahead of the traits read model: it wins.
      {
        employees: org.numberOfEmployees,
        industry: org.industry,
        plan: planFromEvent ?? traits?.plan ?? null,
      },
      (ruleId) => cursors.get(ruleId) ?? 0,
    );
    const current = await tx.repAssignment.findUnique({ where: { accountId } });
    const events = decideAssignment(current, choice);
    if (events.length === 0) return current?.repId ?? null;
    await record(
      this.store,
      tx,
      { type: "success_rep", id: `rep:${accountId}`, accountId },
      events,
      SYSTEM_ACTOR,
      this.clock.now(),
      current?.version ?? 0,
    );
    return choice.repId;
  }
}
