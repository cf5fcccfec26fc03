import type { PlanSnapshot } from "@platform/contracts";
import type { Interval } from "../domain/plans";
import { discountsAsJson, discountsOfJson } from "../domain/subscription-discounts";
import type { SubscriptionState, SubscriptionStatus } from "../domain/subscriptions";
import { Prisma, type Subscription } from "../generated/prisma/client";

/**
 * The subscription's state as its row holds it, and the row a state is written as: the two sides of
 * the inline projection (src/projections/inline.ts writes rows, commands read states).
 */
export function stateOfRow(row: Subscription): SubscriptionState {
  return {
    ...row,
    status: row.status as SubscriptionStatus,
    interval: row.interval as Interval,
    plan: row.plan as unknown as PlanSnapshot,
    scheduledPlan: (row.scheduledPlan as unknown as PlanSnapshot | null) ?? null,
    discounts: discountsOfJson(row.discounts),
  };
}

export function rowOfState(state: SubscriptionState): Prisma.SubscriptionUncheckedCreateInput {
  return {
    ...state,
    plan: { ...state.plan },
    // A JSON column's SQL NULL, not the JSON value null: "no downgrade scheduled".
    scheduledPlan: state.scheduledPlan ? { ...state.scheduledPlan } : Prisma.DbNull,
    discounts: discountsAsJson(state.discounts),
  };
}
