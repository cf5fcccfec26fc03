import type { PlanPublished } from "@platform/contracts";
import { ConcurrencyConflictError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { BillingEvent, type Decided, SYSTEM_ACTOR } from "../domain/events";
import type { Plan } from "../domain/plans";
import { planAggregateId, planPublishedOf, unpublishedVersions } from "../domain/publications";
import type { Db, Tx } from "./tenant";

/**
 * Publishes every plan version of the catalog not yet in the log (`PlanPublished`), at the service's
 * start, before it serves: one transaction per plan, each version appended at the version before it.
 * A restart finds them published and appends nothing; two instances starting together race on the
 * aggregate's version, and the loser finds the winner's events (concurrency_conflict, then re-read).
 * Returns the versions it published.
 */
export async function publishCatalog(
  db: Db,
  store: EventStore<Tx>,
  plans: readonly Plan[],
  clock: Clock,
): Promise<Plan[]> {
  const published: Plan[] = [];
  for (const planId of new Set(plans.map((plan) => plan.plan_id))) {
    for (let attempt = 0; ; attempt++) {
      try {
        published.push(...(await publishPlan(db, store, plans, planId, clock)));
        break;
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt > 0) throw error;
      }
    }
  }
  return published;
}

async function publishPlan(
  db: Db,
  store: EventStore<Tx>,
  plans: readonly Plan[],
  planId: string,
  clock: Clock,
): Promise<Plan[]> {
  return db.$transaction(async (tx) => {
    const id = planAggregateId(planId);
    const log = (await store.load(tx, id)).map((event) => event.data as Decided<PlanPublished>);
    const next = unpublishedVersions(plans, { planId, published: log });
    if (next.length === 0) return [];
    const now = clock.now();
    await store.append(tx, {
      aggregate: { type: "plan", id, tenantId: null },
      expectedVersion: log.length,
      events: next.map((plan) => ({
        type: BillingEvent.PlanPublished,
        data: { ...planPublishedOf(plan), occurred_at: now.getTime(), actor: SYSTEM_ACTOR },
      })),
      metadata: { actor: SYSTEM_ACTOR.type },
    });
    return next;
  });
}
