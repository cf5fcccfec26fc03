import { enterTenant } from "@platform/database";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { SYSTEM_ACTOR } from "../domain/events";
import { decideHealthScore, type HealthFacts, healthSignals, NO_HEALTH_FACTS } from "../domain/health";
import { computeHealthScore } from "../domain/health-score";
import {
  type AssignmentRule,
  chooseRep,
  decideAssignment,
  orderRules,
  validateRules,
} from "../domain/success-reps";
import type { HealthFacts as HealthFactsRow } from "../generated/prisma/client";
import { record, type Tx } from "./tenant";

const DAY_MS = 86_400_000;

/** `health_facts`' row as the domain reads it (JSON columns written only by the read model's folds). */
export function healthFactsOf(row: HealthFactsRow | null): HealthFacts {
  if (!row) return NO_HEALTH_FACTS;
  return {
    signIns: row.signIns as HealthFacts["signIns"],
    paymentFailures: row.paymentFailures as HealthFacts["paymentFailures"],
    suspendedAt: row.suspendedAt,
    invoicePaidAt: row.invoicePaidAt,
  };
}

/**
 * Customer success: the health score (usage, engagement, billing and support signals; the raw facts
 * come from the `health_facts` read model, the rest from tenancy's own state) recomputed when an event
 * that changes one arrives, and the success representative chosen by rules, round-robin within a rule.
 */
export class CustomerSuccessService {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly rules: AssignmentRule[],
  ) {
    validateRules(rules);
  }

  /**
   * Computes the organization's score now and records it when it changed, at the version of the
   * score it decided on (two recalculations at once: one conflicts and is applied again). Answers the
   * score, null for an organization tenancy does not know.
   */
  async recalculate(tx: Tx, accountId: string): Promise<number | null> {
    await enterTenant(tx, accountId);
    if (!(await tx.organization.findUnique({ where: { accountId } }))) return null;
    const now = this.clock.now();
    const facts = healthFactsOf(await tx.healthFacts.findUnique({ where: { accountId } }));
    const traits = await tx.accountTraits.findUnique({ where: { accountId } });
    const seats = await tx.membership.count({ where: { accountId, groupId: accountId } });
    const recentTickets = await tx.ticket.findMany({
      where: { accountId, openedAt: { gte: new Date(now.getTime() - 30 * DAY_MS) } },
    });
    const health = computeHealthScore(
      healthSignals(facts, { now: now.getTime(), seats, plan: traits?.plan ?? null, recentTickets }),
    );
    const state = await tx.healthScore.findUnique({ where: { accountId } });
    const events = decideHealthScore(state, health);
    if (events.length > 0)
      await record(
        this.store,
        tx,
        { type: "health", id: `health:${accountId}`, accountId },
        events,
        SYSTEM_ACTOR,
        now,
        state?.version ?? 0,
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
